// Fleet dashboard: kiosks grouped by county and site, live over server-sent events.
import { LABELS } from './i18n.js'

const kiosks = new Map()
let lang = localStorage.getItem('lang') === 'en' ? 'en' : 'zh'
const t = () => LABELS[lang]

function statusClass(status) {
  if (!status) return 'off'
  if (
    status.state === 'hardwareError' ||
    status.paper === 'out' ||
    status.paper === 'jammed' ||
    status.cover === 'open'
  )
    return 'bad'
  if (status.state === 'userError' || status.paper === 'low') return 'warn'
  if (status.state === 'online' || status.state === 'busy') return 'ok'
  return 'off'
}

function statusText(status) {
  if (!status) return '—'
  const parts = [t().deviceState[status.state] ?? status.state]
  if (status.paper && status.paper !== 'full' && status.paper !== 'unknown')
    parts.push(t().paper[status.paper] ?? status.paper)
  if (status.cover === 'open') parts.push(t().cover.open)
  if (status.errorCode) parts.push(status.errorCode)
  return parts.join(' · ')
}

function isFaulted(kiosk) {
  return kiosk.state === 'online' && kiosk.peripherals.some((p) => statusClass(p.status) === 'bad')
}

function renderSummary() {
  const all = [...kiosks.values()]
  const online = all.filter((k) => k.state === 'online').length
  const cells = [
    [t().total, all.length],
    [t().online, online],
    [t().offline, all.filter((k) => k.state === 'offline').length],
    [t().faulted, all.filter(isFaulted).length],
  ]
  document.getElementById('summary').replaceChildren(
    ...cells.map(([label, value]) => {
      const span = document.createElement('span')
      span.append(label)
      const b = document.createElement('b')
      b.textContent = String(value)
      span.append(b)
      return span
    }),
  )
}

function kioskCard(kiosk) {
  const node = document.getElementById('kiosk-card').content.firstElementChild.cloneNode(true)
  node.dataset.kioskId = kiosk.id
  node.classList.toggle('is-offline', kiosk.state !== 'online')
  const badge = node.querySelector('.badge')
  badge.className = `badge ${kiosk.state}`
  badge.textContent = t().state[kiosk.state] ?? kiosk.state
  node.querySelector('h3').textContent = kiosk.id
  node.querySelector('.type').textContent = t().machine[kiosk.machineType] ?? kiosk.machineType ?? ''
  const seen = kiosk.lastSeenAt ? new Date(kiosk.lastSeenAt).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '—'
  node.querySelector('.meta').textContent = `${t().lastSeen} ${seen} · ${t().app} ${kiosk.appVersion ?? '—'}`
  node.querySelector('.peripherals').replaceChildren(
    ...kiosk.peripherals.map((p) => {
      const li = document.createElement('li')
      li.dataset.deviceId = p.deviceId
      const name = document.createElement('span')
      name.textContent = `${t().device[p.deviceClass] ?? p.deviceClass ?? p.deviceId} · ${p.vendor ?? ''} ${p.model ?? ''}`
      name.title = `${p.deviceId} fw ${p.firmware || '—'} sn ${p.serial || '—'}`
      const status = document.createElement('span')
      status.className = `status ${statusClass(p.status)}`
      status.textContent = statusText(p.status)
      li.append(name, status)
      return li
    }),
  )
  const blocked = kiosk.services.filter((s) => !s.available)
  const services = node.querySelector('.services')
  if (blocked.length === 0) services.textContent = t().servicesOk
  else {
    const span = document.createElement('span')
    span.className = 'blocked'
    span.textContent = `${t().unavailable}: ${blocked.map((s) => t().service[s.serviceId] ?? s.serviceId).join(', ')}`
    services.replaceChildren(span)
  }
  return node
}

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  document.title = t().title
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t()[el.dataset.i18n]
  document.getElementById('lang').textContent = t().switchTo
  renderSummary()
  const byCounty = new Map()
  for (const kiosk of [...kiosks.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const site = kiosk.site ?? { id: '—', name: '—', kind: '', city: '', county: '—', town: '' }
    const countyKey = `${site.city} ${site.county}`.trim()
    if (!byCounty.has(countyKey)) byCounty.set(countyKey, new Map())
    const sites = byCounty.get(countyKey)
    if (!sites.has(site.id)) sites.set(site.id, { site, kiosks: [] })
    sites.get(site.id).kiosks.push(kiosk)
  }
  const main = document.getElementById('sites')
  if (kiosks.size === 0) {
    const p = document.createElement('p')
    p.className = 'empty'
    p.textContent = t().none
    main.replaceChildren(p)
    return
  }
  main.replaceChildren(
    ...[...byCounty.entries()].map(([county, sites]) => {
      const section = document.createElement('section')
      section.className = 'county'
      const h2 = document.createElement('h2')
      h2.textContent = county
      section.append(h2)
      const ordered = [...sites.values()].sort((a, b) =>
        a.site.kind === b.site.kind ? a.site.id.localeCompare(b.site.id) : a.site.kind === 'townCentre' ? -1 : 1,
      )
      for (const { site, kiosks: list } of ordered) {
        const siteEl = document.createElement('section')
        siteEl.className = 'site'
        siteEl.dataset.siteId = site.id
        const h3 = document.createElement('h3')
        h3.textContent = site.name
        const small = document.createElement('small')
        small.textContent = `${t()[site.kind] ?? ''} · ${site.town}`
        h3.append(small)
        const grid = document.createElement('div')
        grid.className = 'kiosks'
        grid.append(...list.map(kioskCard))
        siteEl.append(h3, grid)
        section.append(siteEl)
      }
      return section
    }),
  )
}

function flash(ids) {
  for (const id of ids) {
    const el = document.querySelector(`[data-kiosk-id="${CSS.escape(id)}"]`)
    if (!el) continue
    el.classList.add('flash')
    setTimeout(() => el.classList.remove('flash'), 700)
  }
}

async function loadAll() {
  const response = await fetch('/api/kiosks')
  if (response.status === 401) return showLogin()
  const body = await response.json()
  kiosks.clear()
  for (const k of body.kiosks) kiosks.set(k.id, k)
  render()
}

let source
function connectLive() {
  const live = document.getElementById('live')
  source?.close()
  source = new EventSource('/api/stream')
  source.addEventListener('open', () => {
    live.dataset.state = 'open'
    live.textContent = t().live
    loadAll()
  })
  source.addEventListener('error', () => {
    live.dataset.state = 'closed'
    live.textContent = t().reconnecting
  })
  source.addEventListener('kiosks', (event) => {
    const changed = JSON.parse(event.data)
    for (const k of changed) kiosks.set(k.id, k)
    render()
    flash(changed.map((k) => k.id))
  })
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh'
  localStorage.setItem('lang', lang)
  render()
})

function showLogin() {
  source?.close()
  document.getElementById('login').hidden = false
  document.getElementById('sites').hidden = true
  document.getElementById('summary').hidden = true
  document.getElementById('live').hidden = true
  document.getElementById('logout').hidden = true
  document.getElementById('who').textContent = ''
  document.querySelector('#login input[name=username]').focus()
}

function showUser(user) {
  document.getElementById('login').hidden = true
  document.getElementById('sites').hidden = false
  document.getElementById('summary').hidden = false
  document.getElementById('live').hidden = false
  document.getElementById('logout').hidden = false
  document.getElementById('who').textContent = `${user.displayName} (${user.role})`
  loadAll()
  connectLive()
}

document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  })
  if (!response.ok) {
    document.getElementById('login-error').textContent = t().loginFailed
    return
  }
  document.getElementById('login-error').textContent = ''
  showUser((await response.json()).user)
})

document.getElementById('logout').addEventListener('click', async () => {
  await fetch('/api/logout', { method: 'POST' })
  kiosks.clear()
  render()
  showLogin()
})

async function start() {
  render()
  const response = await fetch('/api/me')
  if (response.ok) showUser((await response.json()).user)
  else showLogin()
}

start()

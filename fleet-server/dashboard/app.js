// Fleet dashboard shell: login, hash routes (#/, #/kiosks, #/kiosk/ID, #/services, #/service/ID,
// #/alerts, #/artifacts, #/artifact/ID, #/rollouts, #/rollout/ID), live updates.
import { h } from './dom.js'
import { LABELS } from './i18n.js'
import { isFaulted } from './status.js'
import { renderAlerts } from './views/alerts.js'
import { renderArtifact, renderArtifacts } from './views/artifacts.js'
import { renderKiosk } from './views/kiosk.js'
import { renderKiosks } from './views/kiosks.js'
import { renderOverview } from './views/overview.js'
import { FINAL, renderRollout, renderRollouts } from './views/rollouts.js'
import { renderService, renderServices } from './views/services.js'

const state = {
  lang: localStorage.getItem('lang') === 'en' ? 'en' : 'zh',
  me: null,
  kiosks: new Map(),
  config: {},
  source: null,
  /** The kiosk list of the service page on screen: which page, and which state now. */
  serviceKiosks: { id: undefined, offset: 0, availability: undefined },
}
/** Kiosks per page of a service's list. */
const SERVICE_PAGE = 50
const ctx = () => ({ t: LABELS[state.lang], lang: state.lang, me: state.me, kiosks: state.kiosks })
const $ = (id) => document.getElementById(id)

async function api(path, init) {
  const response = await fetch(path, init)
  if (response.status === 401) {
    showLogin()
    throw new Error('not logged in')
  }
  return response.json()
}

function route() {
  const [, name = '', arg] = location.hash.replace(/^#\/?/, '/').split('/')
  return { name: name || 'overview', arg: arg ? decodeURIComponent(arg) : undefined }
}

function renderChrome() {
  const t = LABELS[state.lang]
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en'
  document.title = t.title
  for (const el of document.querySelectorAll('[data-i18n]'))
    if (el instanceof HTMLElement) el.textContent = t[el.dataset.i18n]
  for (const a of document.querySelectorAll('#nav a')) {
    if (!(a instanceof HTMLElement)) continue
    a.textContent = t.nav[a.dataset.route]
    const current = route().name === a.dataset.route || `${route().name}s` === a.dataset.route
    if (current) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  $('lang').textContent = t.switchTo
  const live = $('live')
  if (live.dataset.state === 'open') live.textContent = t.live
  else if (live.dataset.state === 'closed') live.textContent = t.reconnecting
  const all = [...state.kiosks.values()]
  const cells = [
    [t.total, all.length],
    [t.online, all.filter((k) => k.state === 'online').length],
    [t.offline, all.filter((k) => k.state === 'offline').length],
    [t.faulted, all.filter(isFaulted).length],
  ]
  $('summary').replaceChildren(...cells.map(([label, value]) => h('span', {}, label, h('b', {}, value))))
}

let rendering = Promise.resolve()
function renderView() {
  rendering = rendering.then(renderViewNow).catch(() => undefined)
  return rendering
}

async function renderViewNow() {
  if (!state.me) return
  renderChrome()
  const { name, arg } = route()
  let view
  if (name === 'kiosks') view = renderKiosks(ctx())
  else if (name === 'kiosk' && arg) {
    const id = encodeURIComponent(arg)
    const [kiosk, health, events, alerts] = await Promise.all([
      api(`/api/kiosks/${id}`),
      api(`/api/kiosks/${id}/health?limit=200`),
      api(`/api/kiosks/${id}/events?limit=20`),
      api(`/api/alerts?kiosk=${id}&state=all&limit=20`),
    ])
    view = kiosk.code
      ? h('p.empty', {}, kiosk.message)
      : renderKiosk(ctx(), { kiosk, history: health.history, events, alerts: alerts.alerts })
  } else if (name === 'services') {
    view = renderServices(ctx(), { overview: await api('/api/services') })
  } else if (name === 'service' && arg) {
    const list = state.serviceKiosks
    if (list.id !== arg) Object.assign(list, { id: arg, offset: 0, availability: undefined })
    const query = new URLSearchParams({ limit: String(SERVICE_PAGE), offset: String(list.offset) })
    if (list.availability) query.set('availability', list.availability)
    const page = await api(`/api/services/${encodeURIComponent(arg)}/kiosks?${query}`)
    view = page.code
      ? h('p.empty', {}, page.message)
      : renderService(
          ctx(),
          { page, offset: list.offset, limit: SERVICE_PAGE, availability: list.availability },
          {
            onPage: (offset) => {
              list.offset = offset
              renderView()
            },
            onFilter: (availability) => {
              Object.assign(list, { offset: 0, availability })
              renderView()
            },
          },
        )
  } else if (name === 'artifacts') {
    view = renderArtifacts(ctx(), { artifacts: listOf(await api('/api/artifacts'), 'artifacts') })
  } else if (name === 'artifact' && arg) {
    const path = `/api/artifacts/${encodeURIComponent(arg)}`
    const artifact = await api(path)
    view = artifact.code
      ? h('p.empty', {}, artifact.message)
      : renderArtifact(
          ctx(),
          { artifact: artifact.artifact ?? artifact },
          {
            onApprove: (department) => act(`${path}/approvals`, { department }),
            onRevoke: () => act(`${path}/revoke`, {}),
          },
        )
  } else if (name === 'rollouts') {
    view = renderRollouts(ctx(), { rollouts: listOf(await api('/api/rollouts'), 'rollouts') })
  } else if (name === 'rollout' && arg) {
    const path = `/api/rollouts/${encodeURIComponent(arg)}`
    const [answer, { kiosks }] = await Promise.all([api(path), api(`${path}/kiosks?limit=5000`)])
    const rollout = { ...answer, kiosks }
    watchRollout(rollout)
    view = answer.code
      ? h('p.empty', {}, answer.message)
      : renderRollout(ctx(), { rollout }, { onAction: (action) => act(`${path}/${action}`, {}) })
  } else if (name === 'alerts') {
    const { alerts } = await api('/api/alerts')
    view = renderAlerts(ctx(), { alerts }, async (id) => {
      await api(`/api/alerts/${id}/ack`, { method: 'POST' })
      renderView()
    })
  } else {
    const [overview, { sites }] = await Promise.all([api('/api/overview'), api('/api/sites')])
    view = renderOverview(ctx(), { overview, sites, config: state.config })
  }
  $('view').replaceChildren(view)
}

const listOf = (answer, key) => (Array.isArray(answer) ? answer : (answer[key] ?? []))

/** A write from a button: re-renders on success, returns the server's message on failure. */
async function act(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status === 401) {
    showLogin()
    return 'not logged in'
  }
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) return answer.message ?? `HTTP ${response.status}`
  renderView()
  return null
}

/**
 * While an unfinished rollout is on screen it is refreshed on every `rollout` live event for it, and
 * also every few seconds in case events are missed (a reconnect, a replica without the event).
 */
let rolloutTimer
function watchRollout(rollout) {
  clearTimeout(rolloutTimer)
  if (rollout?.id === undefined || FINAL.has(rollout.status)) return
  rolloutTimer = setTimeout(() => {
    if (route().name === 'rollout' && route().arg === rollout.id) renderView()
  }, 5000)
}

const SERVICES_REFRESH_MS = 5000
let servicesTimer
function refreshServicesSoon() {
  if (servicesTimer !== undefined) return
  servicesTimer = setTimeout(() => {
    servicesTimer = undefined
    if (['services', 'service'].includes(route().name)) renderView()
  }, SERVICES_REFRESH_MS)
}

async function loadKiosks() {
  const { kiosks } = await api('/api/kiosks')
  state.kiosks = new Map(kiosks.map((k) => [k.id, k]))
}

function flash(ids) {
  for (const id of ids) {
    const el = document.querySelector(`.kiosk[data-kiosk-id="${CSS.escape(id)}"]`)
    if (!el) continue
    el.classList.add('flash')
    setTimeout(() => el.classList.remove('flash'), 700)
  }
}

function connectLive() {
  const live = $('live')
  state.source?.close()
  const source = new EventSource('/api/stream')
  state.source = source
  source.addEventListener('open', async () => {
    live.dataset.state = 'open'
    live.textContent = LABELS[state.lang].live
    // Anything that changed between the first load and the stream opening (or a reconnect).
    await loadKiosks()
    if (route().name !== 'kiosk') renderView()
    else renderChrome()
  })
  source.addEventListener('error', () => {
    live.dataset.state = 'closed'
    live.textContent = LABELS[state.lang].reconnecting
  })
  // `event: rollout` / `event: artifact` with `{id}` (or an array of them): re-render what shows it.
  for (const [type, detail, list] of [
    ['rollout', 'rollout', 'rollouts'],
    ['artifact', 'artifact', 'artifacts'],
  ]) {
    source.addEventListener(type, (event) => {
      const data = JSON.parse(event.data)
      const ids = new Set((Array.isArray(data) ? data : [data]).map((d) => d.id ?? d.rolloutId ?? d.artifactId))
      const { name, arg } = route()
      if (name === list || (name === detail && ids.has(arg))) renderView()
    })
  }
  source.addEventListener('kiosks', (event) => {
    const changed = JSON.parse(event.data)
    for (const k of changed) state.kiosks.set(k.id, k)
    const { name, arg } = route()
    // The services pages sum the whole fleet: read again at most every few seconds, not per event.
    if (name === 'services' || name === 'service') {
      renderChrome()
      refreshServicesSoon()
    }
    // The kiosk page re-renders only for its own kiosk, so an open command result is not lost.
    else if (name !== 'kiosk' || changed.some((k) => k.id === arg))
      renderView().then(() => flash(changed.map((k) => k.id)))
    else renderChrome()
  })
}

function showLogin() {
  state.me = null
  state.source?.close()
  for (const id of ['view', 'summary', 'live', 'nav', 'logout']) $(id).hidden = true
  $('login').hidden = false
  $('who').textContent = ''
  const username = /** @type {HTMLInputElement} */ (document.querySelector('#login input[name=username]'))
  username.focus()
}

async function showUser(user) {
  state.me = user
  $('login').hidden = true
  for (const id of ['view', 'summary', 'live', 'nav', 'logout']) $(id).hidden = false
  $('who').textContent = `${user.displayName} (${user.role})`
  state.config = await api('/api/dashboard-config')
  await loadKiosks()
  await renderView()
  connectLive()
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(/** @type {HTMLFormElement} */ (event.target))
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  })
  if (!response.ok) {
    $('login-error').textContent = LABELS[state.lang].loginFailed
    return
  }
  $('login-error').textContent = ''
  await showUser((await response.json()).user)
})

$('logout').addEventListener('click', async () => {
  await fetch('/api/logout', { method: 'POST' })
  state.kiosks.clear()
  $('view').replaceChildren()
  showLogin()
})

$('lang').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh'
  localStorage.setItem('lang', state.lang)
  renderChrome()
  renderView()
})

window.addEventListener('hashchange', () => renderView())

async function start() {
  renderChrome()
  const response = await fetch('/api/me')
  if (response.ok) await showUser((await response.json()).user)
  else showLogin()
}

start()

// Fleet dashboard shell: login, hash routes (#/, #/kiosks, #/kiosks?site=ID, #/map, #/kiosk/ID, #/services, #/service/ID,
// #/models, #/alerts, #/artifacts, #/artifact/ID, #/upload, #/rollouts, #/rollout/ID, #/new-rollout, #/users,
// #/audit, #/silences), live updates.
import { h } from './dom.js'
import { LABELS } from './i18n.js'
import { ALERT_PAGE, renderAlerts } from './views/alerts.js'
import { renderArtifact, renderArtifacts } from './views/artifacts.js'
import { renderAudit } from './views/audit.js'
import { renderKiosk } from './views/kiosk.js'
import { KIOSK_PAGE, kioskRow, renderKiosks } from './views/kiosks.js'
import { siteMap } from './views/map.js'
import { renderModels } from './views/models.js'
import { renderOverview } from './views/overview.js'
import { renderPasswordChange } from './views/password-change.js'
import { renderNewRollout } from './views/rollout-new.js'
import { FINAL, renderRollout, renderRollouts } from './views/rollouts.js'
import { renderService, renderServices } from './views/services.js'
import { renderSilences } from './views/silences.js'
import { renderUpload } from './views/upload.js'
import { renderUsers } from './views/users.js'

/** Who sees which nav entry and admin screen (the API refuses the others anyway). */
const ROUTE_ROLES = {
  users: ['admin'],
  audit: ['admin', 'auditor'],
  upload: ['admin', 'vendor'],
  'new-rollout': ['admin', 'department'],
}
/** Screens holding a form being filled: live kiosk updates refresh only the header, never the form. */
const FORM_ROUTES = new Set(['users', 'audit', 'upload', 'new-rollout', 'silences'])
const allowed = (name) => !ROUTE_ROLES[name] || ROUTE_ROLES[name].includes(state.me?.role)

const state = {
  lang: localStorage.getItem('lang') === 'en' ? 'en' : 'zh',
  me: null,
  /** Each kiosk page's last command result, kept when the page is drawn again. */
  commandResults: new Map(),
  /** Fleet counts of the header (`GET /api/overview`), read again after live changes. */
  summary: { total: 0, online: 0, offline: 0, faulted: 0 },
  config: {},
  source: null,
  /** The kiosk list of the service page on screen: which page, and which state now. */
  serviceKiosks: { id: undefined, offset: 0, availability: undefined },
  /** The audit screen's search and page. */
  audit: { filter: {}, offset: 0 },
  /** The kiosk and alert lists: their search and filters, and which page. */
  kioskList: { query: {}, offset: 0 },
  alertList: { query: {}, offset: 0 },
  /** The silences screen: ended ones shown too, and what an alert's 'silence' button filled in. */
  silences: { all: false, prefill: {} },
  /** The site map on screen (views/map.js): updated in place by live changes, removed when left. */
  siteMap: undefined,
}
/** Audit entries per page. */
const AUDIT_PAGE = 50
/** Kiosks per page of a service's list. */
const SERVICE_PAGE = 50
const ctx = () => ({ t: LABELS[state.lang], lang: state.lang, me: state.me, commandResults: state.commandResults })
const $ = (id) => document.getElementById(id)

async function api(path, init) {
  const response = await fetch(path, init)
  if (response.status === 401) {
    showLogin()
    throw new Error('not logged in')
  }
  return response.json()
}

/** `#/name/arg?key=value`: the screen, its argument and its query (`#/kiosks?site=ID` from the map). */
function route() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '/').split('?')
  const [, name = '', arg] = path.split('/')
  return {
    name: name || 'overview',
    arg: arg ? decodeURIComponent(arg) : undefined,
    query: new URLSearchParams(search),
  }
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
    a.hidden = !allowed(a.dataset.route)
    const current = route().name === a.dataset.route || `${route().name}s` === a.dataset.route
    if (current) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  $('lang').textContent = t.switchTo
  const live = $('live')
  if (live.dataset.state === 'open') live.textContent = t.live
  else if (live.dataset.state === 'closed') live.textContent = t.reconnecting
  const { summary } = state
  const cells = [
    [t.total, summary.total],
    [t.online, summary.online],
    [t.offline, summary.offline],
    [t.faulted, summary.faulted],
  ]
  $('summary').replaceChildren(...cells.map(([label, value]) => h('span', {}, label, h('b', {}, value))))
}

let rendering = Promise.resolve()
function renderView() {
  rendering = rendering.then(renderViewNow).catch(() => undefined)
  return rendering
}

/**
 * A paged list's handlers: a new query starts again at its first page; both redraw.
 * @param {{ query: Record<string, string>, offset: number }} list
 */
function listPaging(list) {
  return {
    /** @param {Record<string, string>} q */
    onQuery: (q) => {
      Object.assign(list, { query: q, offset: 0 })
      renderView()
    },
    /** @param {number} offset */
    onPage: (offset) => {
      list.offset = offset
      renderView()
    },
  }
}

async function renderViewNow() {
  if (!state.me) return
  renderChrome()
  const { name, arg, query: hashQuery } = route()
  let view
  if (name !== 'map' && state.siteMap) {
    state.siteMap.remove()
    state.siteMap = undefined
  }
  if (state.me.mustChangePassword) {
    view = renderPasswordChange(ctx(), { send, done: start })
  } else if (!allowed(name)) view = h('p.empty', {}, LABELS[state.lang].admin.failed)
  else if (name === 'users') {
    const [{ users }, known] = await Promise.all([api('/api/users'), knownNames()])
    view = renderUsers(ctx(), { users, known }, { send, reload: renderView })
  } else if (name === 'audit') {
    const { filter, offset } = state.audit
    const query = new URLSearchParams({ ...filter, limit: String(AUDIT_PAGE), offset: String(offset) })
    const page = await api(`/api/audit?${query}`)
    view = page.code
      ? h('p.empty', {}, page.message)
      : renderAudit(
          ctx(),
          { page, filter },
          {
            onSearch: (next) => {
              state.audit = { filter: next, offset: 0 }
              renderView()
            },
            onPage: (next) => {
              state.audit.offset = next
              renderView()
            },
          },
        )
  } else if (name === 'upload') {
    view = renderUpload(ctx(), { send, done: (id) => (location.hash = `#/artifact/${encodeURIComponent(id)}`) })
  } else if (name === 'new-rollout') {
    const [artifacts, known] = await Promise.all([api('/api/artifacts'), knownNames()])
    view = renderNewRollout(
      ctx(),
      { artifacts: listOf(artifacts, 'artifacts'), known },
      { send, done: (id) => (location.hash = `#/rollout/${encodeURIComponent(id)}`) },
    )
  } else if (name === 'kiosks') {
    if (hashQuery.size > 0) {
      // A link with a filter (a site on the map): it becomes the list's query, and the address plain.
      state.kioskList = { query: Object.fromEntries(hashQuery), offset: 0 }
      history.replaceState(null, '', '#/kiosks')
    }
    const list = state.kioskList
    const query = new URLSearchParams({ ...list.query, limit: String(KIOSK_PAGE), offset: String(list.offset) })
    const [page, { counties }] = await Promise.all([api(`/api/kiosks?${query}`), api('/api/sites/tree')])
    view = page.code
      ? h('p.empty', {}, page.message)
      : renderKiosks(
          ctx(),
          { page, tree: counties, query: list.query, offset: list.offset },
          {
            ...listPaging(list),
          },
        )
  } else if (name === 'map') {
    const map = await api('/api/map')
    state.siteMap?.remove()
    state.siteMap = map.code ? undefined : siteMap(ctx(), { map, baseMap: state.config.baseMap })
    view = state.siteMap?.element ?? h('p.empty', {}, map.message)
  } else if (name === 'kiosk' && arg) {
    const id = encodeURIComponent(arg)
    const [kiosk, health, events, alerts, commands, paper] = await Promise.all([
      api(`/api/kiosks/${id}`),
      api(`/api/kiosks/${id}/health?limit=200`),
      api(`/api/kiosks/${id}/events?limit=20`),
      api(`/api/alerts?kiosk=${id}&state=all&limit=20`),
      api(`/api/kiosks/${id}/commands?limit=20`),
      api(`/api/paper-forecast?kioskId=${id}`),
    ])
    view = kiosk.code
      ? h('p.empty', {}, kiosk.message)
      : renderKiosk(ctx(), {
          kiosk,
          history: health.history,
          events,
          alerts: alerts.alerts,
          commands: commands.commands ?? [],
          paper: paper.printers ?? [],
        })
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
    view = withAction(
      'upload',
      LABELS[state.lang].admin.upload,
      renderArtifacts(ctx(), { artifacts: listOf(await api('/api/artifacts'), 'artifacts') }),
    )
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
    view = withAction(
      'new-rollout',
      LABELS[state.lang].admin.newRollout,
      renderRollouts(ctx(), { rollouts: listOf(await api('/api/rollouts'), 'rollouts') }),
    )
  } else if (name === 'rollout' && arg) {
    const path = `/api/rollouts/${encodeURIComponent(arg)}`
    const [answer, { kiosks }] = await Promise.all([api(path), api(`${path}/kiosks?limit=5000`)])
    const rollout = { ...answer, kiosks }
    watchRollout(rollout)
    view = answer.code
      ? h('p.empty', {}, answer.message)
      : renderRollout(ctx(), { rollout }, { onAction: (action) => act(`${path}/${action}`, {}) })
  } else if (name === 'silences') {
    const { all, prefill } = state.silences
    const answer = await api(`/api/alerts/silences${all ? '?all=true' : ''}`)
    state.silences.prefill = {}
    view = answer.code
      ? h('p.empty', {}, answer.message)
      : renderSilences(
          ctx(),
          { silences: answer.silences, all, prefill },
          {
            send,
            reload: renderView,
            onAll: (next) => {
              state.silences.all = next
              renderView()
            },
          },
        )
  } else if (name === 'models') {
    view = renderModels(ctx(), { health: await api('/api/device-models/health') })
  } else if (name === 'alerts') {
    const list = state.alertList
    const query = new URLSearchParams({ ...list.query, limit: String(ALERT_PAGE), offset: String(list.offset) })
    const page = await api(`/api/alerts?${query}`)
    view = page.code
      ? h('p.empty', {}, page.message)
      : renderAlerts(
          ctx(),
          { page, query: list.query, offset: list.offset },
          {
            onAck: async (id) => {
              await api(`/api/alerts/${id}/ack`, { method: 'POST' })
              renderView()
            },
            onSilence: (alert) => {
              state.silences.prefill = { kioskId: alert.kioskId, rule: alert.rule }
              location.hash = '#/silences'
            },
            ...listPaging(list),
          },
        )
  } else {
    const [overview, { sites }] = await Promise.all([api('/api/overview'), api('/api/sites')])
    view = renderOverview(ctx(), { overview, sites })
  }
  $('view').replaceChildren(view)
}

const listOf = (answer, key) => (Array.isArray(answer) ? answer : (answer[key] ?? []))

/** A list screen with a link to the screen that adds to it, for the roles that may. */
function withAction(routeName, label, view) {
  if (!allowed(routeName)) return view
  return h('div', {}, h('p.page-actions', {}, h(`a.button.${routeName}`, { href: `#/${routeName}` }, label)), view)
}

/** Departments (the labelled ones and the service catalogue's) and sites, to suggest in forms. */
async function knownNames() {
  const departments = new Set(Object.keys(LABELS[state.lang].department))
  const [{ sites = [] }, services] = await Promise.all([api('/api/sites'), api('/api/services')])
  for (const d of services.departments ?? []) if (d.id !== 'unknown') departments.add(d.id)
  return { departments: [...departments].sort(), sites: sites.map((s) => s.id).sort() }
}

/** A write with any method: `{ok, answer}` or `{ok: false, error}` (the server's message). */
async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  if (response.status === 401) {
    showLogin()
    return { ok: false, answer: {}, error: 'not logged in' }
  }
  const answer = await response.json().catch(() => ({}))
  return response.ok
    ? { ok: true, answer }
    : { ok: false, answer, error: answer.message ? `${answer.message} (${answer.code})` : `HTTP ${response.status}` }
}

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

async function loadSummary() {
  const overview = await api('/api/overview')
  if (overview.code === undefined) state.summary = overview
}

/**
 * Lists and counts of the whole fleet are read again at most every few seconds after live changes,
 * not per event: at 20,000 kiosks changes never stop.
 */
const FLEET_REFRESH_MS = 3000
let fleetTimer
function refreshFleetSoon() {
  if (fleetTimer !== undefined) return
  fleetTimer = setTimeout(async () => {
    fleetTimer = undefined
    await loadSummary()
    if (['overview', 'kiosks', 'alerts'].includes(route().name)) renderView()
    else renderChrome()
    if (route().name === 'map') await refreshMap()
  }, FLEET_REFRESH_MS)
}

/** The site map keeps its zoom and place: its sites are read again and redrawn in place. */
async function refreshMap() {
  const map = await api('/api/map')
  if (map.code === undefined) state.siteMap?.update(map)
}

/** A changed kiosk on the list on screen is redrawn in place at once; the rest waits for the refresh. */
function updateRows(changed) {
  for (const kiosk of changed) {
    const row = document.querySelector(`tr.kiosk[data-kiosk-id="${CSS.escape(kiosk.id)}"]`)
    if (row) row.replaceWith(kioskRow(ctx(), kiosk))
  }
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
    await loadSummary()
    if (route().name === 'map') {
      renderChrome()
      await refreshMap()
    } else if (route().name !== 'kiosk' && !FORM_ROUTES.has(route().name)) renderView()
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
    const { name, arg } = route()
    // The services pages sum the whole fleet: read again at most every few seconds, not per event.
    if (FORM_ROUTES.has(name)) renderChrome()
    else if (name === 'services' || name === 'service') {
      refreshFleetSoon()
      refreshServicesSoon()
    } else if (name === 'kiosks') {
      updateRows(changed)
      flash(changed.map((k) => k.id))
      refreshFleetSoon()
    } else if (name !== 'kiosk') refreshFleetSoon()
    // The kiosk page re-renders only for its own kiosk, so an open command result is not lost.
    else if (changed.some((k) => k.id === arg)) renderView()
    else refreshFleetSoon()
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
  $('who').textContent = `${user.displayName} (${user.role})`
  if (user.mustChangePassword) {
    // A one-time password: nothing else answers until the user chooses their own.
    for (const id of ['view', 'logout']) $(id).hidden = false
    await renderView()
    return
  }
  for (const id of ['view', 'summary', 'live', 'nav', 'logout']) $(id).hidden = false
  state.config = await api('/api/dashboard-config')
  await loadSummary()
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
  state.summary = { total: 0, online: 0, offline: 0, faulted: 0 }
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

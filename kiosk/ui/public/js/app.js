import { LocalApi, takeToken } from './api.js'
import { menuScreen } from './catalogue-menu.js'
import { createFlowActions } from './flow.js'
import { STRINGS } from './i18n.js'
import { withCatalogueStrings } from './i18n-catalogue.js'
import {
  attractScreen,
  busyScreen,
  cardScreen,
  doneScreen,
  errorScreen,
  idleDialog,
  outOfServiceScreen,
} from './screens.js'
import {
  codeScreen,
  optionScreen,
  periodScreen,
  pinScreen,
  qrScreen,
  resultScreen,
  retryScreen,
  scanScreen,
} from './service-screens.js'

/**
 * The citizen UI controller: one state object, one render. The agent owns the session (and the
 * citizen's data); the UI only shows what the local API sends and forgets it when the session ends.
 */
/**
 * @typedef {import('@kiosk-fleet/protocol/local-api').KioskStatus} KioskStatus
 * @typedef {import('@kiosk-fleet/protocol/local-api').SessionStarted} SessionStarted
 * @typedef {import('@kiosk-fleet/protocol/local-api').CitizenView} CitizenView
 * @typedef {import('@kiosk-fleet/protocol/local-api').QueryView} QueryView
 * @typedef {import('@kiosk-fleet/protocol/local-api').ServiceInput} ServiceInput
 * @typedef {{ lang: 'zh' | 'en', elderly: boolean, connected: boolean, status: KioskStatus | undefined,
 *   screen: string, session: SessionStarted | undefined, citizen: CitizenView | undefined,
 *   view: QueryView | undefined, input: string, error: string | undefined, errorCode: string | undefined,
 *   reading: boolean, busyText: string, printed: 'a4' | 'receipt' | undefined, notice: string | undefined,
 *   idleLeft: number | undefined, viaSsCard?: boolean,
 *   menu: { mode: string, key: string | undefined, query: string, page: number },
 *   given: Record<string, unknown>, pin: string | undefined, currentInput: ServiceInput | undefined,
 *   resultPage: number, qr: { url: string, image: string } | undefined }} UiState
 */
/** @type {UiState} */
const state = {
  lang: 'zh',
  elderly: false,
  connected: false,
  status: undefined,
  screen: 'attract',
  session: undefined,
  citizen: undefined,
  view: undefined,
  input: '',
  error: undefined,
  errorCode: undefined,
  reading: false,
  busyText: '',
  printed: undefined,
  notice: undefined,
  idleLeft: undefined,
  /** The menu: most used, by category or department, or searched by pinyin initials. */
  menu: { mode: 'popular', key: undefined, query: '', page: 0 },
  /** The inputs given so far, by input id; the PIN (kept only until the session ends). */
  given: {},
  pin: undefined,
  currentInput: undefined,
  resultPage: 0,
  qr: undefined,
}

const root = /** @type {HTMLElement} */ (document.getElementById('app'))
const t = () => withCatalogueStrings(STRINGS[state.lang], state.lang)
let api
let idleTimer
let lastExtend = 0

function forgetCitizen() {
  state.session = undefined
  state.citizen = undefined
  state.view = undefined
  state.input = ''
  state.error = undefined
  state.errorCode = undefined
  state.reading = false
  state.printed = undefined
  state.given = {}
  state.pin = undefined
  state.currentInput = undefined
  state.qr = undefined
  hideIdle()
}

function go(screen, patch = {}) {
  Object.assign(state, { error: undefined, errorCode: undefined }, patch, { screen })
  render()
}

function offered() {
  return state.status?.services ?? []
}

function inService() {
  return state.connected && state.status?.mode === 'inService'
}

async function endSession(reason) {
  if (state.session && api.connected) await api.command('Session.End', reason ? { reason } : {}).catch(() => undefined)
  forgetCitizen()
}

const menuGo = (patch) => go('menu', { menu: { ...state.menu, ...patch } })

const actions = {
  async start() {
    state.notice = undefined
    const services = offered()
    if (services.length === 1) return actions.choose(services[0].serviceId)
    go('menu', { menu: { mode: 'popular', key: undefined, query: '', page: 0 } })
  },
  nextPage: () => menuGo({ page: state.menu.page + 1 }),
  previousPage: () => menuGo({ page: Math.max(0, state.menu.page - 1) }),
  menuMode: (mode) => {
    const first =
      mode === 'category'
        ? state.status?.categories[0]?.id
        : mode === 'department'
          ? state.status?.departments[0]?.id
          : undefined
    menuGo({ mode, key: first, query: '', page: 0 })
  },
  menuKey: (key) => menuGo({ key, page: 0 }),
  searchKey: (k) =>
    menuGo({ query: k === 'back' ? state.menu.query.slice(0, -1) : `${state.menu.query}${k}`.slice(0, 12), page: 0 }),
  async home() {
    await endSession()
    go('attract')
  },
  async finish() {
    await endSession('completed')
    go('attract')
  },
  async extend() {
    hideIdle()
    await api.command('Session.Extend').catch(() => undefined)
    render()
  },
  ...createFlowActions({
    state,
    api: () => api,
    go,
    render,
    t,
    showError: (r) => showError(r),
    messageFor: (r) => messageFor(r),
  }),
}

function messageFor(reply) {
  return t().errors[reply.errorCode] ?? t().errors.generic
}

function showError(reply) {
  go('error', { error: messageFor(reply), errorCode: reply.errorCode })
}

function showIdle(secondsLeft) {
  state.idleLeft = secondsLeft
  clearInterval(idleTimer)
  idleTimer = setInterval(() => {
    state.idleLeft = Math.max(0, (state.idleLeft ?? 0) - 1)
    render()
  }, 1000)
  render()
}

function hideIdle() {
  clearInterval(idleTimer)
  state.idleLeft = undefined
}

function onUnsolicited(name, payload) {
  if (name === 'Common.StatusChangedEvent') {
    state.status = payload
    render()
  } else if (name === 'Session.IdleWarningEvent') {
    if (state.session?.sessionId === payload.sessionId) showIdle(payload.secondsLeft)
  } else if (name === 'Session.EndedEvent') {
    if (state.session?.sessionId !== payload.sessionId) return
    const notice = t().ended[payload.reason]
    forgetCitizen()
    go('attract', { notice })
  }
}

async function onConnection(up) {
  state.connected = up
  if (up) {
    const status = await api.command('Common.Status')
    state.status = status
    if (!state.lang || state.screen === 'attract') state.lang = status.ui.defaultLanguage
  } else {
    forgetCitizen()
    state.screen = 'attract'
  }
  render()
}

const SCREENS = {
  attract: attractScreen,
  menu: menuScreen,
  card: cardScreen,
  code: codeScreen,
  pin: pinScreen,
  option: optionScreen,
  period: periodScreen,
  scan: scanScreen,
  result: resultScreen,
  qr: qrScreen,
  retry: retryScreen,
  busy: busyScreen,
  done: doneScreen,
  error: errorScreen,
}

function topBar() {
  const bar = document.createElement('header')
  bar.className = 'topbar'
  const title = document.createElement('span')
  title.className = 'brand'
  title.textContent = t().appTitle
  const lang = document.createElement('button')
  lang.type = 'button'
  lang.className = 'btn small'
  lang.id = 'lang'
  lang.lang = state.lang === 'zh' ? 'en' : 'zh'
  lang.textContent = t().language
  lang.addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh'
    render()
  })
  const elderly = document.createElement('button')
  elderly.type = 'button'
  elderly.className = 'btn small'
  elderly.id = 'elderly'
  elderly.setAttribute('aria-pressed', String(state.elderly))
  elderly.textContent = state.elderly ? t().elderlyOff : t().elderlyOn
  elderly.addEventListener('click', () => {
    state.elderly = !state.elderly
    state.menu = { ...state.menu, page: 0 }
    render()
  })
  bar.append(title, lang, elderly)
  return bar
}

function render() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en'
  document.body.classList.toggle('elderly', state.elderly)
  const out = !inService() && !state.session
  const screen = out ? outOfServiceScreen(t(), state) : SCREENS[state.screen](t(), state, actions)
  const main = document.createElement('main')
  main.append(screen)
  root.replaceChildren(topBar(), main)
  if (state.idleLeft !== undefined && state.session) root.append(idleDialog(t(), state, actions))
  document.title = t().appTitle
}

/** Any touch during a session tells the agent the citizen is still there (at most every 5 s). */
document.addEventListener(
  'pointerdown',
  () => {
    if (!state.session || Date.now() - lastExtend < 5000 || state.idleLeft !== undefined) return
    lastExtend = Date.now()
    api.command('Session.Extend').catch(() => undefined)
  },
  { capture: true },
)
document.addEventListener('contextmenu', (event) => event.preventDefault())
document.addEventListener('dragstart', (event) => event.preventDefault())

const token = takeToken()
if (token === undefined) {
  state.connected = false
  render()
} else {
  api = new LocalApi({ token, onUnsolicited, onState: (up) => void onConnection(up) })
  api.connect()
  render()
}

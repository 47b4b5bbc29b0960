import { LocalApi, takeToken } from './api.js'
import { menuScreen } from './catalogue-menu.js'
import { createFlowActions } from './flow.js'
import { STRINGS as BASE_STRINGS } from './i18n.js'
import { withCatalogueStrings } from './i18n-catalogue.js'
import { controlBar } from './identity/controls.js'
import { FaceCheck } from './identity/face-check.js'
import { faceScreen, takeCardScreen } from './identity/screens.js'
import { withIdentityStrings } from './identity/strings.js'
import { Voice } from './identity/voice.js'
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
 *   resultPage: number, qr: { url: string, image: string } | undefined,
 *   cardPresent: boolean, retry: (() => unknown) | undefined, helpOpen: boolean,
 *   faceTriesLeft: number | undefined, pinTriesLeft: number | undefined, faceBusy: boolean, printError: string | undefined,
 *   faceVideo: HTMLVideoElement | undefined }} UiState
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
  /** An ID card lies on the reader (from the agent's Identity.CardPresenceEvent; nothing personal). */
  cardPresent: false,
  /** What "try again" on the error screen does. */
  retry: undefined,
  helpOpen: false,
  faceTriesLeft: undefined,
  /** Wrong PINs left before the card (or the department) locks it, after a wrong one. */
  pinTriesLeft: undefined,
  faceBusy: false,
  printError: undefined,
  faceVideo: undefined,
}

const root = /** @type {HTMLElement} */ (document.getElementById('app'))
const STRINGS = withIdentityStrings(BASE_STRINGS)
const t = () => withCatalogueStrings(STRINGS[state.lang], state.lang)
const voice = new Voice()
/** @type {FaceCheck | undefined} */
let faceCheck
/** @type {ReturnType<typeof setInterval> | undefined} */
let takeCardTimer
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
  state.retry = undefined
  state.helpOpen = false
  state.faceTriesLeft = undefined
  state.pinTriesLeft = undefined
  state.viaSsCard = undefined
  state.faceBusy = false
  state.printError = undefined
  faceCheck?.stop()
  hideIdle()
}

/** Every citizen starts in the kiosk's default language, standard mode and the default voice setting. */
function resetForNextCitizen() {
  state.lang = state.status?.ui.defaultLanguage ?? 'zh'
  state.elderly = false
  voice.reset()
}

function go(screen, patch = {}) {
  Object.assign(state, { error: undefined, errorCode: undefined, helpOpen: false }, patch, { screen })
  render()
  voice.announce(screen, state)
  if (screen === 'face') {
    faceCheck ??= new FaceCheck({ api })
    void faceCheck.preview(faceCheck.video)
  }
}

/** Back to the attract screen for the next citizen; a card still on the reader is asked for first. */
async function goHome(notice = undefined) {
  resetForNextCitizen()
  // Ask the agent rather than trust the last event: the card may have been put down or lifted just now.
  const status = api?.connected ? await api.command('Common.Status').catch(() => undefined) : undefined
  if (status) state.cardPresent = status.cardPresent === true
  if (state.cardPresent) {
    go('takeCard', { notice })
    remindTakeCard()
    return
  }
  go('attract', { notice })
}

/** "请取走您的身份证", spoken now and every 8 s (even with voice guidance off) until the card is lifted. */
function remindTakeCard() {
  clearInterval(takeCardTimer)
  voice.say('takeCardNow', state.lang, true)
  takeCardTimer = setInterval(() => {
    if (state.screen !== 'takeCard' || !state.cardPresent) return clearInterval(takeCardTimer)
    voice.say('takeCardNow', state.lang, true)
  }, 8000)
}

/** 人证核验: the camera, liveness and the comparison with the card photo; the agent keeps the count of tries. */
async function runFaceCheck(afterIdentity) {
  if (state.faceBusy) return
  state.faceBusy = true
  render()
  voice.say('faceChecking', state.lang)
  faceCheck ??= new FaceCheck({ api })
  // The check is the citizen's activity: a slow machine must not time the session out under it.
  const keepAlive = setInterval(() => api.command('Session.Extend').catch(() => undefined), 15_000)
  const outcome = await faceCheck.run(faceCheck.video).finally(() => clearInterval(keepAlive))
  state.faceBusy = false
  if (outcome.completionCode === 'success') return afterIdentity()
  if (outcome.errorCode === 'faceLocked' || outcome.triesLeft === 0) {
    return go('error', { error: messageFor({ errorCode: 'faceLocked' }), errorCode: 'faceLocked', retry: undefined })
  }
  if (outcome.triesLeft === undefined) return showError(outcome)
  go('face', { error: messageFor(outcome), errorCode: outcome.errorCode, faceTriesLeft: outcome.triesLeft })
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
  searchKey: (k) => {
    // Letters after a tapped Chinese word start a new search.
    const typed = /^[a-z0-9]*$/.test(state.menu.query) ? state.menu.query : ''
    menuGo({ query: k === 'back' ? typed.slice(0, -1) : `${typed}${k}`.slice(0, 12), page: 0 })
  },
  searchWord: (word) => menuGo({ query: word, page: 0 }),
  async home() {
    await endSession()
    await goHome()
  },
  async finish() {
    await endSession('completed')
    await goHome()
  },
  retry: () => state.retry?.(),
  toggleHelp() {
    state.helpOpen = !state.helpOpen
    render()
    if (state.helpOpen) voice.say('helpText', state.lang)
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
    showError: (r, retry) => showError(r, retry),
    messageFor: (r) => messageFor(r),
    runFaceCheck: (after) => runFaceCheck(after),
  }),
}

function messageFor(reply) {
  return t().errors[reply.errorCode] ?? t().errors.generic
}

/**
 * Every error screen offers try again (when there is something to retry), home and help.
 * @param {any} reply
 * @param {(() => unknown) | undefined} [retry]
 */
function showError(reply, retry = undefined) {
  go('error', { error: messageFor(reply), errorCode: reply.errorCode, retry })
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
    // The same end reason for either card; the words name the card the citizen took away.
    const notice = t().ended[payload.reason === 'cardRemoved' && state.viaSsCard ? 'ssCardRemoved' : payload.reason]
    forgetCitizen()
    void goHome(notice)
  } else if (name === 'Identity.CardPresenceEvent') {
    state.cardPresent = payload.present === true
    if (!state.cardPresent && state.screen === 'takeCard') return go('attract', { notice: state.notice })
  }
}

async function onConnection(up) {
  state.connected = up
  if (up) {
    const status = await api.command('Common.Status')
    state.status = status
    state.cardPresent = status.cardPresent === true
    if (!state.lang || state.screen === 'attract') state.lang = status.ui.defaultLanguage
    if (status.ui.faceCheck === 'onDevice') {
      faceCheck ??= new FaceCheck({ api })
      faceCheck.preload(status.ui.faceCheck)
    }
  } else {
    forgetCitizen()
    state.screen = 'attract'
  }
  render()
}

const SCREENS = {
  face: faceScreen,
  takeCard: takeCardScreen,
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
  bar.append(title)
  return bar
}

const controlActions = {
  toggleLanguage() {
    state.lang = state.lang === 'zh' ? 'en' : 'zh'
    render()
    voice.announce(state.screen, state)
  },
  toggleElderly() {
    state.elderly = !state.elderly
    state.menu.page = 0
    // 长辈模式 speaks by default; the citizen can still turn it off.
    voice.setEnabled(state.elderly ? true : voice.defaultOn)
    render()
  },
  toggleVoice() {
    voice.setEnabled(!voice.enabled)
    render()
    if (voice.enabled) voice.announce(state.screen, state)
  },
  setVolume(value) {
    voice.setVolume(value)
  },
}

function render() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en'
  document.documentElement.classList.toggle('elderly', state.elderly)
  state.faceVideo = faceCheck?.video
  const out = !inService() && !state.session
  const screen = out ? outOfServiceScreen(t(), state) : SCREENS[state.screen](t(), state, actions)
  const main = document.createElement('main')
  main.append(screen)
  root.replaceChildren(topBar(), main, controlBar(t(), state, voice, controlActions))
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
// A screen turned to portrait or landscape is laid out again: tiles per page follow its shape.
window.matchMedia('(orientation: portrait)').addEventListener('change', () => render())
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

import { LocalApi, takeToken } from './api.js'
import { STRINGS as BASE_STRINGS } from './i18n.js'
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
  keypadScreen,
  menuScreen,
  outOfServiceScreen,
  resultScreen,
} from './screens.js'

const STRINGS = withIdentityStrings(BASE_STRINGS)

/**
 * The citizen UI controller: one state object, one render. The agent owns the session (and the
 * citizen's data); the UI only shows what the local API sends and forgets it when the session ends.
 */
const state = {
  lang: 'zh',
  elderly: false,
  connected: false,
  status: undefined,
  screen: 'attract',
  page: 0,
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
  /** An ID card lies on the reader (from the agent's Identity.CardPresenceEvent; nothing personal). */
  cardPresent: false,
  /** What "try again" on the error screen does. */
  retry: undefined,
  helpOpen: false,
  triesLeft: undefined,
  faceTriesLeft: undefined,
  faceBusy: false,
  printError: undefined,
}

const root = document.getElementById('app')
const t = () => STRINGS[state.lang]
let api
let idleTimer
let lastExtend = 0
const voice = new Voice()
let faceCheck
let takeCardTimer

function forgetCitizen() {
  state.session = undefined
  state.citizen = undefined
  state.view = undefined
  state.input = ''
  state.error = undefined
  state.errorCode = undefined
  state.reading = false
  state.printed = undefined
  state.retry = undefined
  state.helpOpen = false
  state.triesLeft = undefined
  state.faceTriesLeft = undefined
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
  voice.announce(screen, state, t())
  if (screen === 'face') {
    faceCheck ??= new FaceCheck({ api })
    void faceCheck.preview(faceCheck.video)
  }
}

/** Back to the attract screen for the next citizen; a card still on the reader is asked for first. */
async function goHome(notice) {
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

const actions = {
  async start() {
    state.notice = undefined
    const services = offered()
    if (services.length === 1) return actions.choose(services[0].serviceId)
    go('menu', { page: 0 })
  },
  nextPage: () => go('menu', { page: state.page + 1 }),
  nextResultPage: () => go('result', { page: state.page + 1, printError: state.printError }),
  previousResultPage: () => go('result', { page: Math.max(0, state.page - 1), printError: state.printError }),
  previousPage: () => go('menu', { page: Math.max(0, state.page - 1) }),
  async home() {
    await endSession()
    goHome()
  },
  async finish() {
    await endSession('completed')
    goHome()
  },
  retry: () => state.retry?.(),
  toggleHelp() {
    state.helpOpen = !state.helpOpen
    render()
    if (state.helpOpen) voice.say('helpText', state.lang)
  },
  async startFace() {
    await runFaceCheck()
  },
  async choose(serviceId) {
    const started = await api.command('Session.Start', { serviceId })
    if (started.completionCode !== 'success') return showError(started, () => actions.choose(serviceId))
    state.session = started
    await readCard()
  },
  retryCard: () => readCard({ fresh: true }),
  key(k) {
    const max = state.screen === 'pin' ? 6 : 12
    if (k === 'clear') state.input = ''
    else if (k === 'back') state.input = state.input.slice(0, -1)
    else if (state.input.length < max) state.input += k
    state.error = undefined
    render()
  },
  async submit() {
    if (state.screen === 'pin') return query({ pin: state.input })
    return query({ code: `LZ${state.input.slice(0, 8)}-${state.input.slice(8, 12)}` })
  },
  async print(itemId) {
    const shown = { view: state.view, page: state.page }
    go('busy', { busyText: t().printing })
    const done = await api.command('Session.Print', itemId ? { itemId } : {}, (name) => {
      state.busyText = name === 'Session.PreparingDocumentEvent' ? t().preparing : t().printing
      render()
    })
    // A printer fault keeps the results on screen, with the reason and a way to print again.
    if (done.completionCode !== 'success' && shown.view && state.session) {
      return go('result', { ...shown, printError: messageFor(done), errorCode: done.errorCode })
    }
    if (done.completionCode !== 'success') return showError(done)
    go('done', { printed: done.printed, printError: undefined })
  },
  async extend() {
    hideIdle()
    await api.command('Session.Extend').catch(() => undefined)
    render()
  },
}

function messageFor(reply) {
  return t().errors[reply.errorCode] ?? t().errors.generic
}

/** Every error screen offers try again (when there is something to retry), home and help. */
function showError(reply, retry = undefined) {
  go('error', { error: messageFor(reply), errorCode: reply.errorCode, retry })
}

async function readCard(options = {}) {
  go('card', { reading: false })
  const result = await api.command('Session.ReadIdCard', options.fresh ? { fresh: true } : {}, (name) => {
    if (name === 'Session.MediaInsertedEvent') {
      state.reading = true
      render()
    }
  })
  state.reading = false
  if (result.completionCode === 'canceled') return
  if (result.completionCode === 'timeOut') return go('card', { error: t().cardTimeout })
  // Try again waits for another card: the refused one may still lie on the reader.
  if (result.completionCode === 'userError') return showError(result, () => readCard({ fresh: true }))
  if (result.completionCode !== 'success') return go('card', { error: t().readerBroken })
  state.citizen = result.citizen
  if (result.faceCheck) return go('face', { faceTriesLeft: undefined })
  await afterIdentified(result.method)
}

async function afterIdentified(method) {
  if (state.session.identify.includes('pin')) return go('pin', { input: '', viaSsCard: method === 'ssCard' })
  if (state.session.needsCode) return askCode()
  await query({})
}

/** 人证核验: the camera, liveness and the comparison with the card photo; the agent keeps the count of tries. */
async function runFaceCheck() {
  if (state.faceBusy) return
  state.faceBusy = true
  render()
  voice.say('faceChecking', state.lang)
  faceCheck ??= new FaceCheck({ api })
  const outcome = await faceCheck.run(faceCheck.video)
  state.faceBusy = false
  if (outcome.completionCode === 'success') return afterIdentified('idCard')
  if (outcome.errorCode === 'faceLocked' || outcome.triesLeft === 0) {
    return go('error', { error: messageFor({ errorCode: 'faceLocked' }), errorCode: 'faceLocked', retry: undefined })
  }
  if (outcome.triesLeft === undefined) return showError(outcome)
  go('face', { error: messageFor(outcome), errorCode: outcome.errorCode, faceTriesLeft: outcome.triesLeft })
}

/** The code screen: a QR scan completes it by itself; typing the code stops the scan. A typed code survives a mismatch. */
async function askCode(error, input = '') {
  go('code', { input, error })
  const scanned = await api.command('Session.ScanCode')
  if (scanned.completionCode === 'success' && state.screen === 'code') await query({ code: scanned.code })
}

async function query(input) {
  const back = state.screen
  const typed = state.input
  go('busy', { busyText: t().loading })
  const result = await api.command('Session.Query', input)
  if (result.completionCode === 'success') {
    if (result.view.citizen) state.citizen = result.view.citizen
    return go('result', { view: result.view, page: 0, triesLeft: undefined })
  }
  if (back === 'code' && ['notFound', 'codeMissing', 'mismatch'].includes(result.errorCode)) {
    return askCode(messageFor(result), typed)
  }
  if (['pinWrong', 'pinFormat'].includes(result.errorCode)) {
    return go(back, { input: '', error: messageFor(result), triesLeft: result.triesLeft })
  }
  showError(result, () => query(input))
}

function showIdle(secondsLeft) {
  state.idleLeft = secondsLeft
  clearInterval(idleTimer)
  idleTimer = setInterval(() => {
    state.idleLeft = Math.max(0, state.idleLeft - 1)
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
    goHome(notice)
  } else if (name === 'Identity.CardPresenceEvent') {
    state.cardPresent = payload.present === true
    if (!state.cardPresent && state.screen === 'takeCard') return go('attract', { notice: state.notice })
    if (state.cardPresent && state.screen === 'takeCard') voice.say('takeCardNow', state.lang, true)
  }
}

async function onConnection(up) {
  state.connected = up
  if (up) {
    const status = await api.command('Common.Status')
    state.status = status
    state.cardPresent = status.cardPresent === true
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
  code: (tt, s, a) => keypadScreen(tt, s, a, 'code'),
  pin: (tt, s, a) => keypadScreen(tt, s, a, 'pin'),
  result: resultScreen,
  busy: busyScreen,
  done: doneScreen,
  error: errorScreen,
  face: faceScreen,
  takeCard: takeCardScreen,
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
    voice.announce(state.screen, state, t())
  },
  toggleElderly() {
    state.elderly = !state.elderly
    state.page = 0
    // 长辈模式 speaks by default; the citizen can still turn it off.
    voice.setEnabled(state.elderly ? true : voice.defaultOn)
    render()
  },
  toggleVoice() {
    voice.setEnabled(!voice.enabled)
    render()
    if (voice.enabled) voice.announce(state.screen, state, t())
  },
  setVolume(value) {
    voice.setVolume(value)
  },
}

function render() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en'
  document.documentElement.classList.toggle('elderly', state.elderly)
  const out = !inService() && !state.session
  state.faceVideo = faceCheck?.video
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

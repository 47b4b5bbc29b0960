import { LocalApi, takeToken } from './api.js'
import { STRINGS } from './i18n.js'
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
}

const root = document.getElementById('app')
const t = () => STRINGS[state.lang]
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

const actions = {
  async start() {
    state.notice = undefined
    const services = offered()
    if (services.length === 1) return actions.choose(services[0].serviceId)
    go('menu', { page: 0 })
  },
  nextPage: () => go('menu', { page: state.page + 1 }),
  previousPage: () => go('menu', { page: Math.max(0, state.page - 1) }),
  async home() {
    await endSession()
    go('attract')
  },
  async finish() {
    await endSession('completed')
    go('attract')
  },
  async choose(serviceId) {
    const started = await api.command('Session.Start', { serviceId })
    if (started.completionCode !== 'success') return showError(started)
    state.session = started
    await readCard()
  },
  retryCard: () => readCard(),
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
    go('busy', { busyText: t().printing })
    const done = await api.command('Session.Print', itemId ? { itemId } : {}, (name) => {
      state.busyText = name === 'Session.PreparingDocumentEvent' ? t().preparing : t().printing
      render()
    })
    if (done.completionCode !== 'success') return showError(done)
    go('done', { printed: done.printed })
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

function showError(reply) {
  go('error', { error: messageFor(reply), errorCode: reply.errorCode })
}

async function readCard() {
  go('card', { reading: false })
  const result = await api.command('Session.ReadIdCard', {}, (name) => {
    if (name === 'Session.MediaInsertedEvent') {
      state.reading = true
      render()
    }
  })
  state.reading = false
  if (result.completionCode === 'canceled') return
  if (result.completionCode === 'timeOut') return go('card', { error: t().cardTimeout })
  if (result.completionCode !== 'success') return go('card', { error: t().readerBroken })
  state.citizen = result.citizen
  if (state.session.identify.includes('pin')) return go('pin', { input: '', viaSsCard: result.method === 'ssCard' })
  if (state.session.needsCode) return askCode()
  await query({})
}

/** The code screen: a QR scan completes it by itself; typing the code stops the scan. */
async function askCode(error) {
  go('code', { input: '', error })
  const scanned = await api.command('Session.ScanCode')
  if (scanned.completionCode === 'success' && state.screen === 'code') await query({ code: scanned.code })
}

async function query(input) {
  const back = state.screen
  go('busy', { busyText: t().loading })
  const result = await api.command('Session.Query', input)
  if (result.completionCode === 'success') {
    if (result.view.citizen) state.citizen = result.view.citizen
    return go('result', { view: result.view, page: 0 })
  }
  if (back === 'code' && ['notFound', 'codeMissing'].includes(result.errorCode)) return askCode(messageFor(result))
  if (['pinWrong', 'pinFormat'].includes(result.errorCode)) return go(back, { input: '', error: messageFor(result) })
  showError(result)
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
  code: (tt, s, a) => keypadScreen(tt, s, a, 'code'),
  pin: (tt, s, a) => keypadScreen(tt, s, a, 'pin'),
  result: resultScreen,
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
    state.page = 0
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

import { codeFromDigits } from './code-mask.js'
import { askedPinInput, pinLength } from './service-screens.js'

/**
 * The citizen's way through any service definition, as the agent's plan says: identify (ID card,
 * social-security card, PIN), then each input in order, then the query, then the output. One
 * controller for every service; the screens come from the definition.
 *
 * @param {{ state: any, api: () => any, go: (screen: string, patch?: object) => void, render: () => void,
 *   t: () => any, showError: (reply: any, retry?: () => void) => void, messageFor: (reply: any) => string,
 *   runFaceCheck: (after: () => Promise<void>) => Promise<void> }} ctx
 */
export function createFlowActions(ctx) {
  const { state, go, render, t, showError, messageFor } = ctx
  const api = () => ctx.api()

  /** `fresh`: try again after a refused card waits for a newly placed card. */
  async function readCard(fresh = false) {
    go('card', { reading: false })
    const result = await api().command('Session.ReadIdCard', fresh ? { fresh: true } : {}, (name) => {
      if (name === 'Session.MediaInsertedEvent') {
        state.reading = true
        render()
      }
    })
    state.reading = false
    if (result.completionCode === 'canceled') return
    if (result.completionCode === 'timeOut') return go('card', { error: t().cardTimeout })
    // A refused card (expired, not accepted here): the reason, and try again with another card.
    if (result.completionCode === 'userError') return showError(result, () => readCard(true))
    if (result.completionCode !== 'success') return go('card', { error: t().readerBroken })
    if (result.method === 'idCard') state.citizen = result.citizen
    state.viaSsCard = result.method === 'ssCard'
    if (result.faceCheck) return go('face', { faceTriesLeft: undefined })
    await afterIdentity(result.method === 'ssCard')
  }

  async function afterIdentity(viaSsCard = false) {
    if (state.session.identify.includes('pin') && state.pin === undefined) {
      return go('pin', { input: '', viaSsCard, pinTriesLeft: undefined })
    }
    await nextInput()
  }

  /**
   * Asks the next input the definition names, or runs the query when all are given. `triesLeft`:
   * the department's count of wrong PINs left, after a wrong one.
   */
  async function nextInput(error, triesLeft) {
    const inputs = state.session.inputs
    const input = inputs.find((i) => !(i.id in state.given))
    if (!input) return query()
    state.currentInput = input
    if (input.kind === 'code') return askCode(input, error)
    if (input.kind === 'pin') return go('pin', { input: '', error, pinTriesLeft: triesLeft })
    if (input.kind === 'option') return go('option', { error })
    if (input.kind === 'dateRange') return go('period', { error })
    if (input.kind === 'documentScan') return go('scan', { error })
  }

  /** The code screen: a QR scan completes it by itself; typing the code stops the scan. */
  async function askCode(input, error) {
    // Asked again after a mismatch, the digits typed stay, so one wrong digit is one key to fix.
    go('code', { input: error ? state.input : '', error })
    if (!input.scan) return
    const scanned = await api().command('Session.ScanCode', { inputId: input.id })
    if (scanned.completionCode === 'success' && state.screen === 'code') {
      state.given[input.id] = scanned.code
      await nextInput()
    }
  }

  async function query() {
    const back = state.screen
    go('busy', { busyText: t().loading })
    const payload = { inputs: { ...state.given }, ...(state.pin !== undefined ? { pin: state.pin } : {}) }
    const result = await api().command('Session.Query', payload)
    if (result.completionCode === 'success') {
      if (result.view.citizen) state.citizen = result.view.citizen
      return go('result', { view: result.view, resultPage: 0 })
    }
    const code = result.errorCode
    if (['pinWrong', 'pinFormat'].includes(code)) {
      // The social-security PIN of the identity, else the service's own PIN input (a query password).
      const pinInput = state.session.inputs.find((i) => i.kind === 'pin')
      if (state.session.identify.includes('pin') || !pinInput) {
        state.pin = undefined
        return go('pin', { input: '', error: messageFor(result), pinTriesLeft: result.triesLeft })
      }
      delete state.given[pinInput.id]
      return nextInput(messageFor(result), result.triesLeft)
    }
    const input = state.currentInput
    if (
      input &&
      ['notFound', 'codeFormat', 'invalidInput', 'optionMissing', 'periodFormat', 'periodTooLong'].includes(code)
    ) {
      delete state.given[input.id]
      return nextInput(messageFor(result))
    }
    if (code === 'backendUnavailable') return go('retry', { errorCode: code })
    if (back === 'busy') return showError(result)
    showError(result)
  }

  return {
    async choose(serviceId) {
      const started = await api().command('Session.Start', { serviceId })
      if (started.completionCode !== 'success') return showError(started)
      state.session = started
      state.given = {}
      state.pin = undefined
      state.currentInput = undefined
      if (started.identify.includes('idCard')) return readCard()
      await nextInput()
    },
    retryCard: () => readCard(true),
    startFace: () => ctx.runFaceCheck(() => afterIdentity(false)),
    key(k) {
      const max = state.screen === 'pin' ? pinLength(state) : 40
      if (k === 'clear') state.input = ''
      else if (k === 'back') state.input = state.input.slice(0, -1)
      else if (state.input.length < max) state.input += k
      state.error = undefined
      render()
    },
    /** The PIN screen asks a service's PIN input (kept as that input) or the identity's PIN. */
    async submitPin() {
      const input = askedPinInput(state)
      if (input) state.given[input.id] = state.input
      else state.pin = state.input
      await nextInput()
    },
    async submitCode() {
      const input = state.currentInput
      state.given[input.id] = codeFromDigits(input.mask, state.input)
      await nextInput()
    },
    async chooseOption(value) {
      state.given[state.currentInput.id] = value
      await nextInput()
    },
    async choosePeriod(from, to) {
      state.given[state.currentInput.id] = { from, to }
      await nextInput()
    },
    async scanDocument() {
      const input = state.currentInput
      go('busy', { busyText: t().scanning })
      const result = await api().command('Session.ScanDocument', { inputId: input.id })
      if (result.completionCode !== 'success') return go('scan', { error: messageFor(result) })
      // The pages stay in the agent's session; the UI only knows they were scanned.
      state.given[input.id] = { scanned: result.pages }
      await nextInput()
    },
    retryQuery: () => query(),
    nextResults: () => go('result', { resultPage: state.resultPage + 1 }),
    previousResults: () => go('result', { resultPage: Math.max(0, state.resultPage - 1) }),
    async output(itemId) {
      const kind = state.view.output.kind
      go('busy', { busyText: kind === 'qr' ? t().loading : t().printing })
      const done = await api().command('Session.Output', itemId ? { itemId } : {}, (name) => {
        state.busyText = name === 'Session.PreparingDocumentEvent' ? t().preparing : t().printing
        render()
      })
      if (done.completionCode !== 'success') {
        if (done.errorCode === 'backendUnavailable') return go('retry', { errorCode: done.errorCode })
        // A printer fault keeps the results on screen, with the reason and the print button.
        if (state.view && state.session) {
          return go('result', { printError: messageFor(done), errorCode: done.errorCode })
        }
        return showError(done)
      }
      if (done.qr) return go('qr', { qr: done.qr })
      go('done', { printed: done.printed, printError: undefined })
    },
  }
}

/**
 * Voice guidance: each screen and each error has a prompt, a WAV the agent renders offline with
 * espeak-ng (Mandarin `cmn`, English `en`) or a recording a vendor or department supplied, served
 * at /voice/{lang}/{key}.wav. Only fixed prompts are spoken, never a name or a number.
 */

/** The prompt a screen speaks on entry (the error screen speaks its error instead). */
const SCREEN_PROMPTS = {
  attract: 'touchToStart',
  menu: 'chooseService',
  card: 'placeCard',
  face: 'faceTitle',
  code: 'enterCode',
  pin: 'enterPin',
  busy: 'loading',
  done: 'takeCard',
  takeCard: 'takeCardNow',
}

const RESULT_PROMPTS = {
  progress: 'progressTitle',
  taxCertificates: 'chooseCertificate',
  licence: 'licenceTitle',
  socialInsurance: 'ssTitle',
}

export class Voice {
  /** Off by default in standard mode (a lobby is loud with many kiosks); on in 长辈模式. */
  defaultOn = false
  enabled = false
  volume = 0.8
  #audio

  setEnabled(on) {
    this.enabled = on
    if (!on) this.#audio?.pause()
  }

  setVolume(v) {
    this.volume = Math.min(1, Math.max(0, v))
    if (this.#audio) this.#audio.volume = this.volume
  }

  reset() {
    this.setEnabled(this.defaultOn)
    this.volume = 0.8
  }

  /** The key a screen would speak now (exported for tests through the data-voice attribute). */
  static promptFor(screen, s) {
    if (screen === 'error' || (screen === 'card' && s.error))
      return s.errorCode ? `errors.${s.errorCode}` : 'errors.generic'
    if (screen === 'face' && s.errorCode) return `errors.${s.errorCode}`
    if (screen === 'result') return s.printError && s.errorCode ? `errors.${s.errorCode}` : RESULT_PROMPTS[s.view?.kind]
    return SCREEN_PROMPTS[screen]
  }

  announce(screen, s) {
    const key = Voice.promptFor(screen, s)
    document.documentElement.dataset.voice = key ?? ''
    if (key) this.say(key, s.lang)
  }

  /** `always`: a safety reminder (take your card) that is spoken even with voice guidance off. */
  say(key, lang, always = false) {
    if (!this.enabled && !always) return
    this.#audio?.pause()
    const audio = new Audio(`/voice/${lang}/${key}.wav`)
    audio.volume = this.volume
    this.#audio = audio
    audio.play().catch(() => undefined)
  }
}

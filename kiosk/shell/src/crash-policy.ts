/**
 * What to do when the renderer dies or hangs: reload it, unless it has died too often lately, in
 * which case show the out-of-service page (never a white screen) and try again later.
 * Pure and clock-injected so it is tested without Electron.
 */
export interface CrashPolicyOptions {
  /** More than this many crashes inside `windowMs` means out of service. */
  maxCrashes: number
  windowMs: number
  /** How long to stay on the out-of-service page before trying the UI again. */
  coolDownMs: number
}

export type CrashDecision = { action: 'reload' } | { action: 'outOfService'; retryInMs: number }

export class CrashPolicy {
  readonly #options: CrashPolicyOptions
  #crashes: number[] = []

  constructor(options: CrashPolicyOptions) {
    if (!(options.maxCrashes >= 1)) throw new TypeError('CrashPolicyOptions.maxCrashes must be at least 1')
    if (!(options.windowMs > 0 && options.coolDownMs > 0))
      throw new TypeError('CrashPolicyOptions times must be positive')
    this.#options = options
  }

  /** Records a crash (or a hang we had to kill) at `now` and decides. */
  crashed(now: number): CrashDecision {
    this.#crashes = this.#crashes.filter((t) => now - t < this.#options.windowMs)
    this.#crashes.push(now)
    if (this.#crashes.length > this.#options.maxCrashes) {
      this.#crashes = []
      return { action: 'outOfService', retryInMs: this.#options.coolDownMs }
    }
    return { action: 'reload' }
  }

  get recentCrashes(): number {
    return this.#crashes.length
  }
}

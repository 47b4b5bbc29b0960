import { Listeners } from '@drivers/core'
import { CitizenSession, type SessionEndReason } from './citizen-session.ts'
import type { TransactionCounter } from './transaction-counter.ts'

export interface SessionManagerOptions {
  /** No touch for this long ends the session and wipes it. */
  idleTimeoutMs: number
  /** The warning goes out this long before the reset (WCAG 2.2.1: at least 20 s, one tap extends). */
  idleWarningMs: number
  transactions: TransactionCounter
}

export type SessionEvent =
  | { type: 'idleWarning'; sessionId: string; secondsLeft: number }
  | { type: 'ended'; sessionId: string; serviceId: string; reason: SessionEndReason }

/**
 * At most one citizen session at a time. Any touch resets the idle clock; the warning is sent
 * `idleWarningMs` before the reset; ending (for any reason) wipes the session and counts the
 * transaction. Timers are plain setTimeout so tests drive them with fake timers.
 */
export class SessionManager {
  readonly #options: SessionManagerOptions
  readonly #events = new Listeners<[SessionEvent]>()
  #current: CitizenSession | undefined
  #warnTimer: ReturnType<typeof setTimeout> | undefined
  #endTimer: ReturnType<typeof setTimeout> | undefined
  #starts = 0
  #lastEndedAt: number | undefined

  constructor(options: SessionManagerOptions) {
    if (options.idleWarningMs >= options.idleTimeoutMs) {
      throw new TypeError('SessionManagerOptions.idleWarningMs must be shorter than idleTimeoutMs')
    }
    this.#options = options
  }

  get current(): CitizenSession | undefined {
    return this.#current
  }

  /** Sessions started since the agent started: a change tells that one began in between. */
  get starts(): number {
    return this.#starts
  }

  /** When (epoch ms) the last session ended, if one has. */
  get lastEndedAt(): number | undefined {
    return this.#lastEndedAt
  }

  on(listener: (event: SessionEvent) => void): () => void {
    return this.#events.on(listener)
  }

  /** Starts a session for a service; a session still open is ended as canceled first. */
  start(serviceId: string): CitizenSession {
    if (this.#current) this.end('canceled')
    const session = new CitizenSession(serviceId)
    this.#starts += 1
    this.#current = session
    this.touch()
    return session
  }

  /** The citizen did something: the idle clock starts again (and a warning on screen is moot). */
  touch(): void {
    if (!this.#current) return
    clearTimeout(this.#warnTimer)
    clearTimeout(this.#endTimer)
    const { idleTimeoutMs, idleWarningMs } = this.#options
    const sessionId = this.#current.sessionId
    this.#warnTimer = setTimeout(() => {
      this.#events.emit({ type: 'idleWarning', sessionId, secondsLeft: Math.round(idleWarningMs / 1000) })
    }, idleTimeoutMs - idleWarningMs)
    this.#endTimer = setTimeout(() => this.end('timedOut'), idleTimeoutMs)
  }

  /**
   * Ends the current session: wipes it, counts it (a flow's own outcome wins over `canceled`),
   * tells listeners. Does nothing when no session is open.
   */
  end(reason: SessionEndReason): void {
    const session = this.#current
    if (!session) return
    clearTimeout(this.#warnTimer)
    clearTimeout(this.#endTimer)
    this.#current = undefined
    this.#lastEndedAt = Date.now()
    const outcome: SessionEndReason = reason === 'canceled' && session.outcome ? session.outcome : reason
    session.wipe()
    this.#options.transactions.record(session.serviceId, outcome)
    this.#events.emit({ type: 'ended', sessionId: session.sessionId, serviceId: session.serviceId, reason: outcome })
  }

  /** Shutdown: wipes without counting a transaction the citizen did not finish by choice. */
  dispose(): void {
    clearTimeout(this.#warnTimer)
    clearTimeout(this.#endTimer)
    this.#current?.wipe()
    this.#current = undefined
    this.#events.clear()
  }
}

import { randomUUID } from 'node:crypto'
import { maskIdNumber } from '../gateway/mask.ts'

/**
 * Who the citizen is, as the department systems need it. Personal data: it travels only from the
 * session to the department gateway, never into logs, health or MQTT.
 */
export interface CitizenIdentity {
  idNumber: string
  name: string
}

/** How a session ended; also the outcome class of its transaction count. */
export type SessionEndReason = 'completed' | 'failed' | 'canceled' | 'timedOut' | 'cardRemoved'

/** What a citizen sees of themself on screen: the name, and the ID number with its middle hidden. */
export interface CitizenView {
  displayName: string
  maskedIdNumber: string
}

export { maskIdNumber }

/**
 * One citizen's visit to one service. Holds the citizen's identity and whatever the department
 * answered, in memory only; `wipe()` drops every reference and overwrites the strings it can.
 * The session id is random and carries nothing personal.
 */
export class CitizenSession {
  readonly sessionId = randomUUID()
  readonly serviceId: string
  readonly startedAt: number
  #citizen: CitizenIdentity | undefined
  readonly #data = new Map<string, unknown>()
  #wiped = false
  /** Set by a flow when the citizen got what they came for, or a step failed for good. */
  outcome: 'completed' | 'failed' | undefined

  constructor(serviceId: string, now = Date.now()) {
    this.serviceId = serviceId
    this.startedAt = now
  }

  get citizen(): CitizenIdentity | undefined {
    return this.#citizen
  }

  get wiped(): boolean {
    return this.#wiped
  }

  /** Identity from the ID card (or the social-security card); replaces any previous one. */
  identify(citizen: CitizenIdentity): CitizenView {
    if (this.#wiped) throw new Error('session already ended')
    this.#citizen = { idNumber: citizen.idNumber, name: citizen.name }
    return { displayName: citizen.name, maskedIdNumber: maskIdNumber(citizen.idNumber) }
  }

  /** Keeps a department answer for the next step (a certificate to print). */
  keep(key: string, value: unknown): void {
    if (this.#wiped) throw new Error('session already ended')
    this.#data.set(key, value)
  }

  recall<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined
  }

  /** Forgets everything about the citizen. Idempotent. */
  wipe(): void {
    this.#wiped = true
    this.#citizen = undefined
    this.#data.clear()
  }

  /** Number of things still held: 0 after a wipe (for tests and the privacy check). */
  get heldItems(): number {
    return (this.#citizen ? 1 : 0) + this.#data.size
  }
}

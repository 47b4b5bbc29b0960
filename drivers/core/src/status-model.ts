import { type DeviceStatus, sameStatus } from './device-status.ts'
import { Listeners } from './listeners.ts'

/**
 * Holds one peripheral's status and tells listeners when it really changes.
 * Device services own one; the kiosk's device manager listens to it.
 */
export class DeviceStatusModel {
  #status: DeviceStatus
  readonly #changed = new Listeners<[next: DeviceStatus, previous: DeviceStatus]>()

  constructor(initial: DeviceStatus = { state: 'offline' }) {
    this.#status = { ...initial }
  }

  get status(): DeviceStatus {
    return { ...this.#status }
  }

  /** Replaces the status; emits only when something differs. Returns true when it changed. */
  set(next: DeviceStatus): boolean {
    if (sameStatus(this.#status, next)) return false
    const previous = this.#status
    this.#status = { ...next }
    this.#changed.emit({ ...next }, previous)
    return true
  }

  /** Merges fields into the status (state kept unless given). */
  update(patch: Partial<DeviceStatus>): boolean {
    return this.set({ ...this.#status, ...patch })
  }

  onChanged(listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void {
    return this.#changed.on(listener)
  }
}

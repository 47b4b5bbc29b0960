import { Listeners } from '@drivers/core'

/** Whether IT staff took the kiosk out of citizen service, and why. The UI shows out-of-service. */
export class MaintenanceMode {
  #reason: string | undefined
  readonly #changed = new Listeners<[active: boolean, reason: string | undefined]>()

  get active(): boolean {
    return this.#reason !== undefined
  }

  get reason(): string | undefined {
    return this.#reason
  }

  enter(reason: string): void {
    this.#reason = reason
    this.#changed.emit(true, reason)
  }

  leave(): void {
    if (this.#reason === undefined) return
    this.#reason = undefined
    this.#changed.emit(false, undefined)
  }

  onChanged(listener: (active: boolean, reason: string | undefined) => void): () => void {
    return this.#changed.on(listener)
  }
}

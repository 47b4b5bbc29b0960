import { Listeners } from '@drivers/core'
import type { HidReportDevice } from './hid-report-device.ts'

/**
 * An in-memory HID device pair for tests: reports written on one end arrive on the other, one
 * report per chunk, on the next microtask. `unplug()` fails both ends as a pulled cable would.
 */
export class MemoryHidDevice implements HidReportDevice {
  readonly description: string
  readonly written: Uint8Array[] = []
  #peer: MemoryHidDevice | undefined
  #closed = false
  readonly #reports = new Listeners<[Uint8Array]>()
  readonly #errors = new Listeners<[Error]>()

  constructor(description: string) {
    this.description = description
  }

  connectTo(peer: MemoryHidDevice): void {
    this.#peer = peer
  }

  get isClosed(): boolean {
    return this.#closed
  }

  reopen(): void {
    this.#closed = false
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error(`${this.description} is closed`)
    const copy = Uint8Array.from(report)
    this.written.push(copy)
    const peer = this.#peer
    queueMicrotask(() => peer?.deliver(copy))
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    return this.#reports.on(listener)
  }

  onError(listener: (cause: Error) => void): () => void {
    return this.#errors.on(listener)
  }

  /** Feeds a report as if the device had sent it. */
  deliver(report: Uint8Array): void {
    if (!this.#closed) this.#reports.emit(report)
  }

  unplug(cause = new Error('HID device unplugged')): void {
    this.#errors.emit(cause)
  }
}

export function createMemoryHidPair(name = 'hid'): { host: MemoryHidDevice; device: MemoryHidDevice } {
  const host = new MemoryHidDevice(`${name}:host`)
  const device = new MemoryHidDevice(`${name}:device`)
  host.connectTo(device)
  device.connectTo(host)
  return { host, device }
}

import { AppError, DriverErrorCodes } from './errors.ts'
import { Listeners } from './listeners.ts'
import type { Transport } from './transport.ts'

/**
 * One end of an in-memory byte pipe. Bytes written on one end arrive on the other end
 * asynchronously (next microtask), as they would from an OS device.
 */
export class MemoryTransport implements Transport {
  readonly description: string
  #open = false
  #peer: MemoryTransport | undefined
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()

  constructor(description: string) {
    this.description = description
  }

  get isOpen(): boolean {
    return this.#open
  }

  connectTo(peer: MemoryTransport): void {
    this.#peer = peer
  }

  async open(): Promise<void> {
    this.#open = true
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is not open`)
    const peer = this.#peer
    const copy = Uint8Array.from(bytes)
    queueMicrotask(() => peer?.deliver(copy))
  }

  async close(): Promise<void> {
    this.#open = false
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#disconnect.on(listener)
  }

  /** Simulates the device vanishing (cable pulled): fires onDisconnect and closes. */
  simulateDisconnect(cause = new Error('device disconnected')): void {
    if (!this.#open) return
    this.#open = false
    this.#disconnect.emit(cause)
  }

  private deliver(chunk: Uint8Array): void {
    if (this.#open) this.#data.emit(chunk)
  }
}

/** A connected pair: `host` for the driver, `device` for the emulator. */
export function createMemoryTransportPair(name = 'memory'): { host: MemoryTransport; device: MemoryTransport } {
  const host = new MemoryTransport(`${name}:host`)
  const device = new MemoryTransport(`${name}:device`)
  host.connectTo(device)
  device.connectTo(host)
  return { host, device }
}

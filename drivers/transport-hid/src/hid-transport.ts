import { AppError, DriverErrorCodes, Listeners, type Transport } from '@drivers/core'
import type { HidReportDevice } from './hid-report-device.ts'

export interface HidTransportOptions {
  /** Opens the device; called by every `open()`. */
  openDevice: () => Promise<HidReportDevice>
  /** Report payload size (without report ID). Default 64, full-speed interrupt endpoints. */
  reportSize?: number
  description?: string
}

/**
 * A byte Transport over HID reports: writes are cut into zero-padded reports, every report read
 * is delivered as one chunk (padding included: the framing above must skip it). A device error
 * is a disconnect.
 */
export class HidTransport implements Transport {
  readonly description: string
  readonly #options: HidTransportOptions
  readonly #reportSize: number
  #device: HidReportDevice | undefined
  #off: (() => void)[] = []
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()

  constructor(options: HidTransportOptions) {
    const reportSize = options.reportSize ?? 64
    if (!Number.isInteger(reportSize) || reportSize < 1 || reportSize > 1024) {
      throw new TypeError(`HidTransportOptions.reportSize must be 1..1024, got ${reportSize}`)
    }
    this.#options = options
    this.#reportSize = reportSize
    this.description = options.description ?? 'hid'
  }

  get isOpen(): boolean {
    return this.#device !== undefined
  }

  async open(): Promise<void> {
    const device = await this.#options.openDevice()
    this.#device = device
    this.#off = [device.onReport((report) => this.#data.emit(report)), device.onError((cause) => this.#lost(cause))]
  }

  async write(bytes: Uint8Array): Promise<void> {
    const device = this.#device
    if (!device) throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is not open`)
    for (let at = 0; at < bytes.length; at += this.#reportSize) {
      const report = new Uint8Array(this.#reportSize)
      report.set(bytes.subarray(at, at + this.#reportSize))
      await device.write(report)
    }
  }

  async close(): Promise<void> {
    const device = this.#device
    this.#device = undefined
    for (const off of this.#off) off()
    await device?.close()
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#disconnect.on(listener)
  }

  #lost(cause: Error): void {
    if (!this.#device) return
    const device = this.#device
    this.#device = undefined
    for (const off of this.#off) off()
    device.close().catch(() => undefined)
    this.#disconnect.emit(cause)
  }
}

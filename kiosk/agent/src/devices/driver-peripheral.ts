import {
  type DeviceCounters,
  type DeviceIdentity,
  type DeviceStatus,
  DeviceStatusModel,
  type DriverDevice,
  fail,
  type Result,
} from '@drivers/core'
import type { Logger } from 'pino'
import type { Peripheral } from './peripheral.ts'

function isDeviceStatus(value: unknown): value is DeviceStatus {
  return typeof value === 'object' && value !== null && typeof (value as { state?: unknown }).state === 'string'
}

/** What a driver-backed peripheral needs from its device service, whatever its class (in @drivers/core). */
export type { DriverDevice }

export interface DriverPeripheralOptions<D extends DriverDevice> {
  deviceId: string
  identity: DeviceIdentity
  device: D
  /** Opens the device (throws when it is not there); the driver reconnects by itself afterwards. */
  open: (device: D) => Promise<void>
  close: (device: D) => Promise<void>
  /**
   * Devices that never report by themselves (IPP, SANE) are asked at this period once open. A
   * returned status replaces the peripheral's (SANE: the scanner vanished from SANE's list).
   */
  poll?: { everyMs: number; run: (device: D) => Promise<DeviceStatus | unknown> }
  reopen: { initialMs: number; maxMs: number }
  /** The driver's own self-test (reader: SAM status; printer: real-time status), for `self-test`. */
  selfTest?: (device: D) => Promise<Result<unknown>>
  /** Prints the model's test page, for `print-test-page` (receipt printers). */
  printTestPage?: (device: D) => Promise<Result<unknown>>
  logger: Logger
}

/**
 * One peripheral opened through its real driver. Until the first open succeeds (the device is
 * unplugged at boot, the path is missing) the manager keeps trying with a doubling backoff and
 * reports `noDevice`; after that the driver's own reconnect notices unplug and replug and the
 * status follows the driver's. One status model per peripheral, whatever happens.
 */
export class DriverPeripheral<D extends DriverDevice> implements Peripheral {
  readonly deviceId: string
  readonly identity: DeviceIdentity
  readonly device: D
  readonly #options: DriverPeripheralOptions<D>
  readonly #model = new DeviceStatusModel({ state: 'offline' })
  readonly #log: Logger
  #opened = false
  #stopped = true
  #delay: number
  #openAttempts = 0
  #reopenTimer: ReturnType<typeof setTimeout> | undefined
  #pollTimer: ReturnType<typeof setInterval> | undefined
  #offDevice: (() => void) | undefined

  constructor(options: DriverPeripheralOptions<D>) {
    this.#options = options
    this.deviceId = options.deviceId
    this.identity = options.identity
    this.device = options.device
    this.#delay = options.reopen.initialMs
    this.#log = options.logger.child({ deviceId: options.deviceId, driver: options.device.description })
  }

  status(): DeviceStatus {
    return this.#model.status
  }

  counters(): DeviceCounters {
    return { ...this.device.getCounters(), openAttempts: this.#openAttempts }
  }

  onStatusChanged(listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void {
    return this.#model.onChanged(listener)
  }

  get isOpen(): boolean {
    return this.#opened
  }

  /** Runs the driver's self-test; `unsupported` when this class of device has none. */
  selfTest(): Promise<Result<unknown>> {
    const run = this.#options.selfTest
    if (!this.#opened) return Promise.resolve(fail('deviceNotReady', `${this.deviceId} is not open`))
    return run === undefined ? Promise.resolve(fail('unsupported', 'no self-test for this device')) : run(this.device)
  }

  /** Prints a test page; `unsupported` for devices that cannot. */
  printTestPage(): Promise<Result<unknown>> {
    const run = this.#options.printTestPage
    if (run === undefined) return Promise.resolve(fail('unsupported', 'this device prints no test page'))
    if (!this.#opened) return Promise.resolve(fail('deviceNotReady', `${this.deviceId} is not open`))
    return run(this.device)
  }

  async start(): Promise<void> {
    this.#stopped = false
    this.#offDevice = this.device.on('statusChanged', (next) => {
      if (this.#opened) this.#model.set(next)
    })
    await this.#tryOpen()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#reopenTimer)
    clearInterval(this.#pollTimer)
    this.#offDevice?.()
    if (this.#opened) {
      this.#opened = false
      await this.#options.close(this.device).catch((err: unknown) => this.#log.warn({ err }, 'close failed'))
    }
    this.#model.set({ state: 'offline' })
  }

  async #tryOpen(): Promise<void> {
    if (this.#stopped) return
    this.#openAttempts += 1
    try {
      await this.#options.open(this.device)
    } catch (err) {
      this.#model.set({ state: 'noDevice', errorCode: 'openFailed' })
      this.#log.warn({ err, retryInMs: this.#delay }, 'device open failed')
      this.#reopenTimer = setTimeout(() => void this.#tryOpen(), this.#delay)
      this.#delay = Math.min(this.#delay * 2, this.#options.reopen.maxMs)
      return
    }
    if (this.#stopped) {
      await this.#options.close(this.device)
      return
    }
    this.#opened = true
    this.#delay = this.#options.reopen.initialMs
    this.#model.set(this.device.getStatus())
    this.#log.info({ status: this.device.getStatus() }, 'device opened')
    const poll = this.#options.poll
    if (poll) {
      this.#pollTimer = setInterval(() => {
        poll
          .run(this.device)
          .then((status) => {
            if (isDeviceStatus(status)) this.#model.set(status)
          })
          .catch((err: unknown) => this.#log.warn({ err }, 'status poll failed'))
      }, poll.everyMs)
    }
  }
}

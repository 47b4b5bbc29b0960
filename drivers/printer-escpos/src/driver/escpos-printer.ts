import type {
  ConfigurableDevice,
  DeviceConfig,
  DeviceCounters,
  DeviceStatus,
  DeviceUpdateFailureDetail,
  FirmwareUpdatableDevice,
  FirmwareUpdateOptions,
  PrintedReceipt,
  PrinterEvents,
  PrinterFailureDetail,
  ReceiptDocument,
  ReceiptPrinter,
  Result,
} from '@drivers/core'
import pino from 'pino'
import { generic80mm } from '../codec/index.ts'
import { FirmwareUpdater } from './firmware-updater.ts'
import { FirmwareVersion } from './firmware-version.ts'
import { type EscPosPrinterOptions, type FirmwareTimings, validateOptions } from './options.ts'
import { PrintJobs } from './print-jobs.ts'
import { PrinterConnection } from './printer-connection.ts'
import { PrinterSettings } from './printer-settings.ts'
import { StatusQueries } from './status-queries.ts'

type UpdateResult<T> = Result<T, DeviceUpdateFailureDetail>

const DEFAULT_TIMINGS: Required<FirmwareTimings> = {
  replyTimeoutMs: 2000,
  startTimeoutMs: 3000,
  blockTimeoutMs: 5000,
  maxRetries: 10,
  restartTimeoutMs: 30_000,
  restartPollMs: 500,
}

/**
 * ESC/POS receipt printer over any Transport: serial, USB CDC (a serial port), USB printer class,
 * TCP 9100. A facade over one PrinterConnection (transport, decoder, queues, reconnect) and the
 * concerns that share it: PrintJobs (one job at a time, confirmed by GS r 1), StatusQueries
 * (DLE EOT polls and Automatic Status Back), PrinterSettings (GS ( E) and FirmwareUpdater (XMODEM).
 */
export class EscPosPrinter implements ReceiptPrinter, ConfigurableDevice, FirmwareUpdatableDevice {
  readonly description: string
  readonly #connection: PrinterConnection
  readonly #status: StatusQueries
  readonly #jobs: PrintJobs
  readonly #version: FirmwareVersion
  readonly #settings: PrinterSettings
  readonly #firmware: FirmwareUpdater

  constructor(options: EscPosPrinterOptions) {
    validateOptions(options)
    this.description = `escpos:${options.transport.description}`
    const profile = options.profile ?? generic80mm
    const timings = { ...DEFAULT_TIMINGS, ...options.firmwareTimings }
    const logger = (options.logger ?? pino({ level: 'silent' })).child({
      mod: 'driver.escpos',
      device: options.transport.description,
    })
    const connection = new PrinterConnection({
      transport: options.transport,
      logger,
      pollIntervalMs: options.pollIntervalMs ?? 2000,
      rollLengthMm: options.rollLengthMm ?? 50_000,
      reconnect: options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 },
    })
    this.#connection = connection
    this.#status = new StatusQueries({
      connection,
      profile,
      statusTimeoutMs: options.statusTimeoutMs ?? 500,
      description: this.description,
    })
    connection.setLifecycle({ initialise: () => this.#status.initialise(), poll: () => this.#status.refresh() })
    this.#jobs = new PrintJobs({
      connection,
      status: this.#status,
      profile,
      textCodec: options.textCodec,
      description: this.description,
      jobTimeoutMs: options.jobTimeoutMs ?? 10_000,
      minSpeedMmPerS: options.minSpeedMmPerS ?? 25,
      writeChunkBytes: options.writeChunkBytes ?? 512,
    })
    this.#version = new FirmwareVersion({ connection, timings, description: this.description, update: options.update })
    this.#settings = new PrinterSettings({ connection, version: this.#version, update: options.update, timings })
    this.#firmware = new FirmwareUpdater({ connection, version: this.#version, timings })
  }

  open(): Promise<void> {
    return this.#connection.open()
  }

  close(): Promise<void> {
    return this.#connection.close()
  }

  getStatus(): DeviceStatus {
    return this.#connection.status.status
  }

  getCounters(): DeviceCounters {
    return this.#connection.health.snapshot()
  }

  on<K extends keyof PrinterEvents>(event: K, listener: (...args: PrinterEvents[K]) => void): () => void {
    return this.#connection.events.on(event, listener)
  }

  /** Asks DLE EOT 1–4 in turn; one query in flight at a time because replies carry no tag. */
  refreshStatus(): Promise<Result<DeviceStatus, PrinterFailureDetail>> {
    return this.#status.refresh()
  }

  print(document: ReceiptDocument): Promise<Result<PrintedReceipt, PrinterFailureDetail>> {
    return this.#jobs.print(document)
  }

  /** The firmware version last read from the printer (GS I 0x41), undefined before the first read. */
  get firmware(): string | undefined {
    return this.#version.cached
  }

  /** GS I 0x41. Answered between jobs; during an update the cached version is returned. */
  readFirmwareVersion(): Promise<UpdateResult<string>> {
    return this.#version.read()
  }

  /**
   * Writes print density / speed / code page (GS ( E fn 5) and memory switches (fn 3), reads each
   * back (fn 6 / fn 4) and ends the session (fn 2): the printer resets and is back online before
   * this resolves. Refused while a job is queued or printing.
   */
  applyConfig(config: DeviceConfig): Promise<UpdateResult<{ applied: string[] }>> {
    return this.#settings.apply(config)
  }

  /** Reads the settings this driver can write (a session: the printer resets at its end). */
  readConfig(): Promise<UpdateResult<DeviceConfig>> {
    return this.#settings.read()
  }

  /** Flashes a KFW1 image and returns the version the printer reports after its restart. */
  updateFirmware(image: Uint8Array, options: FirmwareUpdateOptions = {}): Promise<UpdateResult<{ firmware: string }>> {
    return this.#firmware.update(image, options)
  }
}

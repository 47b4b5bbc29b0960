import { stat } from 'node:fs/promises'
import {
  AppError,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  type DocumentScanner,
  type DocumentScannerEvents,
  type DocumentScannerFailureDetail,
  fail,
  ok,
  type Result,
  type ScannedPage,
  type ScannerDevice,
  type ScanOptions,
  type ScanOutcome,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  DEFAULT_OPTION_NAMES,
  DEVICE_LIST_FORMAT,
  formatOf,
  parseDeviceList,
  type SaneOptionNames,
  saneFailure,
  scanArgs,
  scannedPageNumber,
} from '../codec/index.ts'
import { CommandNotFoundError, type ProcessOutcome, type ProcessRunner, spawnProcess } from './process-runner.ts'
import { SaneErrorCodes } from './sane-errors.ts'

export interface SaneScannerOptions {
  /** SANE device name (`test:0`, `genesys:libusb:001:004`); from `listDevices()`. */
  device: string
  /** Default `scanimage` on PATH (Debian sane-utils). */
  scanimage?: string
  /** Environment for scanimage, e.g. `SANE_CONFIG_DIR` for a private backend list. Default process.env. */
  env?: NodeJS.ProcessEnv
  /** Backend option values when a model names modes or sources differently. */
  optionNames?: SaneOptionNames
  /** Backend-specific arguments added to every scan (e.g. the test backend's `--test-picture`). */
  extraArgs?: readonly string[]
  runner?: ProcessRunner
  logger?: Logger
  description?: string
  /**
   * How long scanimage may linger after it printed a failed `sane_start`/`sane_read`: some backends
   * (the `test` one, about 1 scan in 30 with an injected jam) then hang in a futex and never exit.
   * The scan ends with the failure it printed. Default 3000 ms.
   */
  exitGraceMs?: number
}

/** A failure scanimage prints before it should exit; "out of documents" is how an ADF batch ends. */
const TERMINAL_FAILURE = /^scanimage: sane_(start|read): (?!.*out of documents)/i

type ScanResult = Result<ScanOutcome, DocumentScannerFailureDetail>

/**
 * A SANE document scanner through `scanimage`, a DocumentScanner device service: one scan at a
 * time, flatbed pages or ADF batches, SANE statuses (jammed, no documents, cover open…) mapped to
 * results and to the device status, cancel through SIGINT (scanimage calls sane_cancel).
 * Scanned documents are personal: only paths' page counts and sizes are logged.
 */
export class SaneScanner implements DocumentScanner {
  readonly description: string
  readonly #options: SaneScannerOptions
  readonly #run: ProcessRunner
  readonly #log: Logger
  readonly #status = new DeviceStatusModel({ state: 'online' })
  readonly #events = new TypedEvents<DocumentScannerEvents>()
  readonly #counters = { scans: 0, pages: 0, scansFailed: 0, jams: 0, canceled: 0 }
  #current: AbortController | undefined

  constructor(options: SaneScannerOptions) {
    if (typeof options.device !== 'string' || options.device.trim() === '') {
      throw new TypeError('SaneScannerOptions.device is required (e.g. test:0)')
    }
    this.#options = options
    this.#run = options.runner ?? spawnProcess
    this.description = options.description ?? `sane:${options.device}`
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      driver: 'scanner-sane',
      device: this.description,
    })
    this.#status.onChanged((next, previous) => this.#events.emit('statusChanged', next, previous))
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  getCounters(): DeviceCounters {
    return { ...this.#counters }
  }

  on<K extends keyof DocumentScannerEvents>(
    event: K,
    listener: (...args: DocumentScannerEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  async listDevices(): Promise<Result<ScannerDevice[], DocumentScannerFailureDetail>> {
    const outcome = await this.#scanimage(['-f', DEVICE_LIST_FORMAT])
    if (outcome.exitCode !== 0) {
      const failure = saneFailure(outcome.exitCode ?? 1, outcome.stderr)
      return fail(failure.code, failure.message, failure.detail)
    }
    return ok(parseDeviceList(outcome.stdout))
  }

  async scan(outPattern: string, options: ScanOptions = {}): Promise<ScanResult> {
    if (this.#current) throw new AppError(SaneErrorCodes.busy, `${this.description} is already scanning`)
    const args = scanArgs(
      this.#options.device,
      outPattern,
      options,
      this.#options.optionNames ?? DEFAULT_OPTION_NAMES,
      this.#options.extraArgs,
    )
    const controller = new AbortController()
    const onOuterAbort = () => controller.abort()
    options.signal?.addEventListener('abort', onOuterAbort, { once: true })
    if (options.signal?.aborted) controller.abort()
    this.#current = controller
    this.#status.update({ state: 'busy' })
    const started = Date.now()
    const batch = (options.source ?? 'flatbed') === 'adf'
    const pageNumbers: number[] = []
    this.#log.info({ source: options.source ?? 'flatbed', resolution: options.resolution ?? 150 }, 'scan started')
    // Stops a scanimage that printed its failure but does not exit; not a cancel by the caller.
    const lingering = new AbortController()
    let lingerTimer: ReturnType<typeof setTimeout> | undefined
    try {
      const outcome = await this.#scanimage(args, AbortSignal.any([controller.signal, lingering.signal]), (line) => {
        const n = scannedPageNumber(line)
        if (n !== undefined) pageNumbers.push(n)
        if (TERMINAL_FAILURE.test(line) && lingerTimer === undefined) {
          lingerTimer = setTimeout(() => {
            this.#log.warn({ line }, 'scanimage reported a failure but did not exit: stopped')
            lingering.abort()
          }, this.#options.exitGraceMs ?? 3000)
        }
      })
      clearTimeout(lingerTimer)
      const pdf = (options.format ?? formatOf(outPattern)) === 'pdf'
      const pages = await this.#pagesWritten(outPattern, batch, pageNumbers, pdf)
      for (const page of pages) this.#events.emit('pageScanned', page)
      this.#counters.pages += pages.length
      if (controller.signal.aborted) {
        this.#counters.canceled++
        this.#status.set({ state: 'online' })
        this.#log.info({ pages: pages.length }, 'scan canceled')
        return fail('canceled', 'scan canceled', 'canceled')
      }
      const ended = this.#ended(outcome, batch, pages, batch ? pageNumbers.length : pages.length)
      if (ended.ok) {
        ended.value.durationMs = Date.now() - started
        this.#counters.scans++
        this.#status.set({ state: 'online' })
        this.#log.info({ pages: pages.length, bytes: pages.reduce((n, p) => n + p.bytes, 0) }, 'scan done')
      }
      return ended
    } finally {
      clearTimeout(lingerTimer)
      options.signal?.removeEventListener('abort', onOuterAbort)
      this.#current = undefined
    }
  }

  cancel(): void {
    this.#current?.abort()
  }

  #ended(outcome: ProcessOutcome, batch: boolean, pages: ScannedPage[], pageCount: number): ScanResult {
    // An ADF batch ends with "out of documents" once the feeder empties: that is success if pages came out.
    const emptiedFeeder = batch && /out of documents/i.test(outcome.stderr) && pages.length > 0
    if (outcome.exitCode === 0 && (pages.length > 0 || emptiedFeeder)) return ok({ pages, pageCount, durationMs: 0 })
    const failure = saneFailure(outcome.exitCode ?? 1, outcome.stderr)
    this.#counters.scansFailed++
    if (failure.detail === 'mediaJam') this.#counters.jams++
    this.#status.set(failure.deviceStatus)
    this.#log.warn({ sane: failure.status, exitCode: outcome.exitCode, pages: pages.length }, 'scan failed')
    return fail(failure.code, failure.message, failure.detail)
  }

  async #pagesWritten(outPattern: string, batch: boolean, reported: number[], pdf: boolean): Promise<ScannedPage[]> {
    // scanimage writes a PDF batch as one multi-page file, named for the first page.
    const numbers = batch && pdf ? reported.slice(0, 1) : reported
    const paths = batch ? numbers.map((n) => outPattern.replace('%d', String(n))) : [outPattern]
    const pages: ScannedPage[] = []
    for (const path of paths) {
      try {
        const info = await stat(path)
        if (info.size > 0) pages.push({ path, bytes: info.size })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    return pages
  }

  async #scanimage(args: string[], signal?: AbortSignal, onLine?: (line: string) => void): Promise<ProcessOutcome> {
    const command = this.#options.scanimage ?? 'scanimage'
    try {
      return await this.#run(command, args, {
        env: this.#options.env ?? process.env,
        ...(signal ? { signal } : {}),
        ...(onLine ? { onStderrLine: onLine } : {}),
      })
    } catch (err) {
      if (err instanceof CommandNotFoundError) {
        throw new AppError(
          SaneErrorCodes.unavailable,
          `${command} is not installed: apt-get install sane-utils (Debian) to scan documents`,
          { cause: err },
        )
      }
      throw err
    }
  }
}

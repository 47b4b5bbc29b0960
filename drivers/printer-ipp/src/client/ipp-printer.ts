import {
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  type DocumentJobState,
  type DocumentPrinter,
  type DocumentPrintOptions,
  fail,
  ok,
  type PrintedDocument,
  type PrinterEvents,
  type PrinterFailureDetail,
  type Result,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  attributeValues,
  blockingDetail,
  decodeIppMessage,
  encodeIppMessage,
  firstValue,
  getJobAttributesRequest,
  getPrinterAttributesRequest,
  type IppMessage,
  type IppPrinterState,
  ippToDeviceStatus,
  isSuccess,
  JobStates,
  PrinterStates,
  printJobRequest,
  statusName,
} from '../codec/index.ts'

export interface IppPrinterOptions {
  /** `ipp://host:port/ipp/print` (port 631 by default), `ipps://…`, or the http(s) form. */
  url: string
  /** Injected HTTP client (default: global fetch). */
  fetch?: typeof fetch
  logger?: Logger
  userName?: string
  requestTimeoutMs?: number
  jobPollIntervalMs?: number
  jobTimeoutMs?: number
  /**
   * Sheets the trays hold when filled (default 250, one standard A4 tray): `sheetsRemaining` is
   * this minus the sheets printed since the printer last came back from paper low or out.
   */
  trayCapacitySheets?: number
}

/** ipp://host/path → http://host:631/path (RFC 8010 §4, RFC 3510). */
export function ippHttpUrl(url: string): string {
  const u = new URL(url)
  if (u.protocol === 'ipp:' || u.protocol === 'ipps:') {
    const port = u.port || '631'
    return `${u.protocol === 'ipps:' ? 'https' : 'http'}://${u.hostname}:${port}${u.pathname}${u.search}`
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return url
  throw new TypeError(`IppPrinterOptions.url must be ipp://, ipps://, http:// or https://, got ${url}`)
}

const terminal = new Set<DocumentJobState>(['canceled', 'aborted', 'completed'])

type Sent = Result<IppMessage, PrinterFailureDetail>

/**
 * A4 document printer over IPP: Print-Job with the PDF, then Get-Job-Attributes until the job
 * ends; printer-state-reasons (media-empty, media-jam, door-open…) become DeviceStatus.
 */
export class IppPrinter implements DocumentPrinter {
  readonly description: string
  readonly #url: string
  readonly #printerUri: string
  readonly #fetch: typeof fetch
  readonly #log: Logger
  readonly #user: string
  readonly #timeoutMs: number
  readonly #pollMs: number
  readonly #jobTimeoutMs: number
  readonly #status = new DeviceStatusModel({ state: 'offline' })
  readonly #events = new TypedEvents<PrinterEvents>()
  readonly #counters = {
    jobs: 0,
    jobsFailed: 0,
    jobsRefused: 0,
    requests: 0,
    requestErrors: 0,
    invalidResponses: 0,
    sheetsPrinted: 0,
  }
  readonly #trayCapacity: number
  #sheetsSinceRefill = 0
  #requestId = 0

  constructor(options: IppPrinterOptions) {
    this.#url = ippHttpUrl(options.url)
    this.#printerUri = options.url
    this.description = `ipp:${options.url}`
    this.#fetch = options.fetch ?? globalThis.fetch
    this.#user = options.userName ?? 'kiosk'
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000
    this.#pollMs = options.jobPollIntervalMs ?? 500
    this.#jobTimeoutMs = options.jobTimeoutMs ?? 120_000
    const capacity = options.trayCapacitySheets ?? 250
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new TypeError(`IppPrinterOptions.trayCapacitySheets must be a positive integer, got ${capacity}`)
    this.#trayCapacity = capacity
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ mod: 'driver.ipp', device: options.url })
    this.#status.onChanged((next, previous) => {
      // Paper back after low or out: the trays were refilled.
      const short = (paper: string | undefined) => paper === 'low' || paper === 'out'
      if (short(previous.paper) && !short(next.paper) && next.paper !== 'jammed') this.#sheetsSinceRefill = 0
      this.#log[next.state === 'online' || next.state === 'busy' ? 'info' : 'warn']({ status: next }, 'status changed')
      this.#events.emit('statusChanged', next, previous)
    })
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  /** Counters, with `sheetsPrinted` and the `sheetsRemaining` estimate the fleet's paper forecast reads. */
  getCounters(): DeviceCounters {
    return { ...this.#counters, sheetsRemaining: Math.max(0, this.#trayCapacity - this.#sheetsSinceRefill) }
  }

  on<K extends keyof PrinterEvents>(event: K, listener: (...args: PrinterEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** Get-Printer-Attributes → printer-state, printer-state-reasons, printer-is-accepting-jobs. */
  async refreshStatus(): Promise<Result<DeviceStatus, PrinterFailureDetail>> {
    const response = await this.#send(getPrinterAttributesRequest(this.#base()))
    if (!response.ok) {
      this.#status.set({ state: 'offline', errorCode: 'noResponse' })
      return response
    }
    const message = response.value
    const stateValue = firstValue(message, 'printer', 'printer-state')
    const state: IppPrinterState = {
      state: typeof stateValue === 'number' ? (PrinterStates[stateValue as 3 | 4 | 5] ?? 'unknown') : 'unknown',
      reasons: (attributeValues(message, 'printer', 'printer-state-reasons') ?? []).filter(
        (v): v is string => typeof v === 'string',
      ),
      acceptingJobs: firstValue(message, 'printer', 'printer-is-accepting-jobs') !== false,
    }
    this.#status.set(ippToDeviceStatus(state))
    return ok(this.getStatus())
  }

  async printPdf(
    pdf: Uint8Array,
    options: DocumentPrintOptions,
  ): Promise<Result<PrintedDocument, PrinterFailureDetail>> {
    const started = Date.now()
    const status = await this.refreshStatus()
    if (!status.ok) return status
    const refused = blockingDetail(status.value)
    if (refused !== undefined) {
      this.#counters.jobsRefused++
      return fail('deviceNotReady', `printer not ready: ${refused}`, refused)
    }
    const request = printJobRequest({
      ...this.#base(),
      jobName: options.jobName,
      documentFormat: 'application/pdf',
      document: pdf,
      ...(options.copies === undefined ? {} : { copies: options.copies }),
    })
    const response = await this.#send(request, options.signal)
    if (!response.ok) return this.#failed(response)
    const jobId = firstValue(response.value, 'job', 'job-id')
    if (typeof jobId !== 'number') {
      this.#counters.invalidResponses++
      return this.#failed(fail('invalidData', 'Print-Job response has no job-id', 'noResponse'))
    }
    const log = this.#log.child({ jobId, job: options.jobName })
    log.info({ bytes: pdf.length }, 'job submitted')
    let job = this.#jobState(response.value)
    const deadline = Date.now() + this.#jobTimeoutMs
    while ((options.waitForCompletion ?? true) && !terminal.has(job.state)) {
      if (Date.now() > deadline) return this.#failed(fail('timeout', `job ${jobId} did not finish`, 'noResponse'))
      await delay(this.#pollMs, options.signal)
      if (options.signal?.aborted) return this.#failed(fail('canceled', 'print canceled', 'jobAborted'))
      const polled = await this.#send(getJobAttributesRequest({ ...this.#base(), jobId }), options.signal)
      if (!polled.ok) return this.#failed(polled)
      job = this.#jobState(polled.value)
      if (job.state === 'processingStopped') {
        await this.refreshStatus()
        const stopped = blockingDetail(this.getStatus())
        if (stopped !== undefined) log.warn({ detail: stopped }, 'job stopped by the printer')
      }
    }
    const result: PrintedDocument = { jobId, state: job.state, reasons: job.reasons, durationMs: Date.now() - started }
    if (job.state === 'aborted' || job.state === 'canceled') {
      log.warn({ state: job.state, reasons: job.reasons }, 'job did not print')
      return this.#failed(fail('hardwareError', `job ${jobId} ${job.state}: ${job.reasons.join(', ')}`, 'jobAborted'))
    }
    this.#counters.jobs++
    // The sheets the printer says it printed (job-impressions-completed, simplex), else one per copy.
    const sheets = job.impressions > 0 ? job.impressions : (options.copies ?? 1)
    this.#counters.sheetsPrinted += sheets
    this.#sheetsSinceRefill += sheets
    log.info({ state: job.state, durationMs: result.durationMs, sheets }, 'job done')
    return ok(result)
  }

  #jobState(message: IppMessage): { state: DocumentJobState; reasons: string[]; impressions: number } {
    const value = firstValue(message, 'job', 'job-state')
    const state = typeof value === 'number' ? JobStates[value as keyof typeof JobStates] : undefined
    const reasons = (attributeValues(message, 'job', 'job-state-reasons') ?? []).filter(
      (v): v is string => typeof v === 'string',
    )
    const impressions = firstValue(message, 'job', 'job-impressions-completed')
    return { state: state ?? 'pending', reasons, impressions: typeof impressions === 'number' ? impressions : 0 }
  }

  #failed<T>(result: { ok: false; error: T }): { ok: false; error: T } {
    this.#counters.jobsFailed++
    return result
  }

  #base() {
    return { printerUri: this.#printerUri, requestId: ++this.#requestId, userName: this.#user }
  }

  /** One HTTP POST of application/ipp; transport trouble and bad replies are results. */
  async #send(request: IppMessage, signal?: AbortSignal): Promise<Sent> {
    this.#counters.requests++
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.#timeoutMs)
    const onAbort = (): void => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/ipp' },
        body: encodeIppMessage(request),
        signal: controller.signal,
      })
      if (!response.ok) {
        this.#counters.requestErrors++
        return fail('commandError', `HTTP ${response.status} from ${this.#url}`, 'rejected')
      }
      const decoded = decodeIppMessage(new Uint8Array(await response.arrayBuffer()))
      if (!decoded.ok) {
        this.#counters.invalidResponses++
        return fail('invalidData', decoded.error.message, 'noResponse')
      }
      if (!isSuccess(decoded.value.code)) {
        const name = statusName(decoded.value.code)
        const busy = name === 'server-error-busy' || name === 'server-error-not-accepting-jobs'
        return fail(busy ? 'deviceNotReady' : 'commandError', `printer answered ${name}`, 'rejected')
      }
      return ok(decoded.value)
    } catch (err) {
      this.#counters.requestErrors++
      const timedOut = controller.signal.reason instanceof Error && controller.signal.reason.message === 'timeout'
      this.#log.warn({ err }, 'ipp request failed')
      if (signal?.aborted) return fail('canceled', 'request canceled', 'jobAborted')
      return fail(timedOut ? 'timeout' : 'deviceNotReady', `no answer from ${this.#url}`, 'noResponse')
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}

import {
  AppError,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  FrameWaiter,
  fail,
  ok,
  type PrintedReceipt,
  type PrinterEvents,
  type PrinterFailureDetail,
  type ReceiptDocument,
  type ReceiptPrinter,
  RequestQueue,
  type Result,
  type Transport,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  ASB_ALL,
  DLE_DC4_CLEAR_BUFFERS,
  DLE_EOT,
  decodeAsb,
  decodeRealtimeStatus,
  decodeTransmitPaperStatus,
  type EscPosProfile,
  encodeReceipt,
  GS_ASB,
  GS_TRANSMIT_STATUS,
  generic80mm,
  healthyBits,
  type PrinterStatusBits,
  StatusDecoder,
  type StatusFrame,
  type TextCodec,
  TRANSMIT_PAPER_STATUS,
  toDeviceStatus,
} from '../codec/index.ts'
import { PrinterErrorCodes } from '../errors.ts'
import { PrinterHealth } from './health.ts'
import { type EscPosPrinterOptions, validateOptions } from './options.ts'

type JobOutcome = { ok: true } | { ok: false; detail: PrinterFailureDetail; message: string }

/** Which status stops a job, and how to name it. */
function blockingDetail(status: DeviceStatus): PrinterFailureDetail | undefined {
  if (status.state === 'noDevice') return 'offline'
  if (status.cover === 'open') return 'coverOpen'
  if (status.paper === 'out') return 'paperOut'
  if (status.errorCode === 'cutterError') return 'cutterError'
  if (status.state === 'hardwareError') return 'headError'
  if (status.state === 'offline') return 'offline'
  return undefined
}

/**
 * ESC/POS receipt printer over any Transport: serial, USB CDC (a serial port), TCP 9100.
 * One job at a time (RequestQueue); status from DLE EOT polls and Automatic Status Back; a job is
 * confirmed by GS r 1, which the printer answers only after everything before it has printed.
 */
export class EscPosPrinter implements ReceiptPrinter {
  readonly description: string
  readonly #transport: Transport
  readonly #profile: EscPosProfile
  readonly #text: TextCodec | undefined
  readonly #log: Logger
  readonly #events = new TypedEvents<PrinterEvents>()
  readonly #status = new DeviceStatusModel({ state: 'offline' })
  readonly #jobs = new RequestQueue()
  #statusLock = new RequestQueue()
  readonly #decoder = new StatusDecoder()
  readonly #realtime = new FrameWaiter<StatusFrame>()
  readonly #completion = new FrameWaiter<StatusFrame>()
  readonly #health: PrinterHealth
  readonly #options: Required<Omit<EscPosPrinterOptions, 'profile' | 'textCodec' | 'logger' | 'reconnect'>> & {
    reconnect: EscPosPrinterOptions['reconnect']
  }
  #bits: PrinterStatusBits = healthyBits()
  #open = false
  #jobId = 0
  #activeJob: ((outcome: JobOutcome) => void) | undefined
  #pollTimer: ReturnType<typeof setTimeout> | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #unsubscribe: (() => void)[] = []

  constructor(options: EscPosPrinterOptions) {
    validateOptions(options)
    this.#transport = options.transport
    this.description = `escpos:${options.transport.description}`
    this.#profile = options.profile ?? generic80mm
    this.#text = options.textCodec
    this.#options = {
      transport: options.transport,
      pollIntervalMs: options.pollIntervalMs ?? 2000,
      statusTimeoutMs: options.statusTimeoutMs ?? 500,
      jobTimeoutMs: options.jobTimeoutMs ?? 10_000,
      minSpeedMmPerS: options.minSpeedMmPerS ?? 25,
      rollLengthMm: options.rollLengthMm ?? 50_000,
      writeChunkBytes: options.writeChunkBytes ?? 512,
      reconnect: options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 },
    }
    this.#health = new PrinterHealth(this.#options.rollLengthMm)
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      mod: 'driver.escpos',
      device: options.transport.description,
    })
    this.#status.onChanged((next, previous) => this.#onStatusChanged(next, previous))
  }

  async open(): Promise<void> {
    if (this.#open) return
    this.#open = true
    this.#unsubscribe = [
      this.#transport.onData((chunk) => this.#onData(chunk)),
      this.#transport.onDisconnect((cause) => this.#onDisconnect(cause)),
    ]
    try {
      if (!this.#transport.isOpen) await this.#transport.open()
    } catch (err) {
      await this.close()
      throw err
    }
    this.#log.info('open')
    await this.#initialise()
    this.#schedulePoll()
  }

  async close(): Promise<void> {
    this.#open = false
    clearTimeout(this.#pollTimer)
    clearTimeout(this.#reconnectTimer)
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    this.#realtime.cancelAll('printer closed')
    this.#completion.cancelAll('printer closed')
    this.#activeJob?.({ ok: false, detail: 'jobAborted', message: 'printer closed during the job' })
    await this.#transport.close()
    this.#status.set({ state: 'offline' })
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  getCounters(): DeviceCounters {
    return this.#health.snapshot()
  }

  on<K extends keyof PrinterEvents>(event: K, listener: (...args: PrinterEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** Asks DLE EOT 1–4 in turn; one query in flight at a time because replies carry no tag. */
  refreshStatus(): Promise<Result<DeviceStatus, PrinterFailureDetail>> {
    if (!this.#open) throw new AppError(PrinterErrorCodes.notOpen, `${this.description} is not open`)
    return this.#statusLock.run(async () => {
      if (!this.#profile.realtimeStatus) return ok(this.getStatus())
      const bits = { ...this.#bits }
      for (const n of [1, 2, 3, 4] as const) {
        const reply = this.#realtime.expect((f) => f.type === 'realtime', this.#options.statusTimeoutMs)
        const sent = await this.#send(Uint8Array.of(...DLE_EOT, n))
        if (!sent) this.#realtime.cancelAll('transport closed')
        const result = await reply
        if (!result.ok) {
          if (result.error.code === 'timeout') {
            this.#health.statusTimeouts++
            this.#status.set({ state: 'offline', errorCode: 'noResponse' })
          }
          return fail(result.error.code, `DLE EOT ${n}: ${result.error.message}`, 'noResponse')
        }
        if (result.value.type === 'realtime') Object.assign(bits, decodeRealtimeStatus(n, result.value.byte))
      }
      this.#applyBits(bits)
      return ok(this.getStatus())
    })
  }

  print(document: ReceiptDocument): Promise<Result<PrintedReceipt, PrinterFailureDetail>> {
    if (!this.#open) throw new AppError(PrinterErrorCodes.notOpen, `${this.description} is not open`)
    const encodeOptions = this.#text ? { profile: this.#profile, textCodec: this.#text } : { profile: this.#profile }
    const encoded = encodeReceipt(document, encodeOptions)
    return this.#jobs.run(async () => {
      const started = Date.now()
      const checked = await this.refreshStatus()
      if (!checked.ok) return checked
      const refused = blockingDetail(checked.value)
      if (refused !== undefined) {
        this.#health.jobsRefused++
        this.#log.warn({ detail: refused, job: document.name }, 'job refused')
        return fail('deviceNotReady', `printer not ready: ${refused}`, refused)
      }
      const jobId = ++this.#jobId
      const paperMm = encoded.feedDots / this.#profile.dotsPerMm
      const log = this.#log.child({ jobId, job: document.name })
      log.debug({ bytes: encoded.bytes.length, paperMm }, 'job start')
      const outcome = await this.#runJob(encoded.bytes, paperMm)
      if (!outcome.ok) {
        this.#health.jobsFailed++
        log.warn({ detail: outcome.detail }, 'job failed')
        return fail(outcome.detail === 'noResponse' ? 'timeout' : 'hardwareError', outcome.message, outcome.detail)
      }
      this.#health.printed(paperMm, encoded.lines, encoded.cuts)
      const durationMs = Date.now() - started
      log.info({ durationMs, lines: encoded.lines }, 'job printed')
      return ok({
        jobId,
        bytes: encoded.bytes.length,
        lines: encoded.lines,
        paperMm,
        cuts: encoded.cuts,
        durationMs,
      })
    })
  }

  /** Writes the job, then GS r 1; settles on its reply, on a stopping status, or on the time limit. */
  async #runJob(bytes: Uint8Array, paperMm: number): Promise<JobOutcome> {
    const limit = this.#options.jobTimeoutMs + (paperMm / this.#options.minSpeedMmPerS) * 1000
    let settle: (outcome: JobOutcome) => void = () => undefined
    const stopped = new Promise<JobOutcome>((resolve) => {
      settle = resolve
    })
    this.#activeJob = settle
    const done = this.#completion.expect((f) => f.type === 'transmitStatus', limit)
    let aborted = false
    try {
      const writing = (async (): Promise<void> => {
        const size = this.#options.writeChunkBytes
        for (let at = 0; at < bytes.length && !aborted; at += size) {
          if (!(await this.#send(bytes.subarray(at, at + size)))) return
        }
        if (!aborted) await this.#send(Uint8Array.of(...GS_TRANSMIT_STATUS, TRANSMIT_PAPER_STATUS))
      })()
      const confirmed = done.then((r): JobOutcome => {
        if (r.ok) return { ok: true }
        const detail = r.error.code === 'timeout' ? 'noResponse' : 'jobAborted'
        return { ok: false, detail, message: `job not confirmed: ${r.error.message}` }
      })
      const outcome = await Promise.race([confirmed, stopped])
      aborted = !outcome.ok
      await writing
      if (!outcome.ok) {
        this.#completion.cancelAll('job failed')
        // drop what the printer still holds of this job, so a new roll does not print half a receipt
        if (outcome.detail !== 'offline' && this.#profile.clearBuffersCommand) {
          await this.#send(Uint8Array.from(DLE_DC4_CLEAR_BUFFERS))
        }
      }
      return outcome
    } finally {
      this.#activeJob = undefined
    }
  }

  async #initialise(): Promise<void> {
    this.#decoder.reset()
    if (this.#profile.automaticStatusBack) await this.#send(Uint8Array.of(...GS_ASB, ASB_ALL & 0x0e))
    const result = await this.refreshStatus()
    if (!result.ok) this.#log.warn({ code: result.error.code }, 'no status after open')
  }

  #schedulePoll(): void {
    clearTimeout(this.#pollTimer)
    if (!this.#open || this.#options.pollIntervalMs === 0) return
    this.#pollTimer = setTimeout(() => {
      if (!this.#transport.isOpen) return
      this.refreshStatus()
        .catch((err: unknown) => this.#log.warn({ err }, 'status poll failed'))
        .finally(() => this.#schedulePoll())
    }, this.#options.pollIntervalMs)
  }

  async #send(bytes: Uint8Array): Promise<boolean> {
    try {
      await this.#transport.write(bytes)
      this.#health.bytesSent += bytes.length
      return true
    } catch (err) {
      this.#log.warn({ err, bytes: bytes.length }, 'write failed')
      return false
    }
  }

  #onData(chunk: Uint8Array): void {
    this.#log.trace({ dir: 'in', hex: Buffer.from(chunk).toString('hex') }, 'bytes')
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.#health.discardedBytes += event.bytes.length
        this.#log.warn({ reason: event.reason, length: event.bytes.length }, 'discarded bytes')
        continue
      }
      const frame = event.frame
      if (frame.type === 'asb') this.#applyBits(decodeAsb(frame.bytes))
      else if (frame.type === 'realtime') {
        if (!this.#realtime.push(frame)) this.#health.discardedBytes++
      } else {
        const paper = decodeTransmitPaperStatus(frame.byte)
        if (!this.#completion.push(frame)) this.#health.discardedBytes++
        this.#applyBits({ ...this.#bits, ...paper })
      }
    }
  }

  #applyBits(bits: PrinterStatusBits): void {
    this.#bits = bits
    this.#status.set(toDeviceStatus(bits))
  }

  #onStatusChanged(next: DeviceStatus, previous: DeviceStatus): void {
    const urgent = next.paper === 'out' || next.cover === 'open' || next.state === 'noDevice'
    this.#log[urgent ? 'warn' : 'info']({ status: next, previous: previous.state }, 'status changed')
    if ((previous.paper === 'out' || previous.paper === 'low') && next.paper === 'full') this.#health.rollLoaded()
    const detail = blockingDetail(next)
    if (detail !== undefined && this.#activeJob !== undefined) {
      this.#activeJob({ ok: false, detail, message: `printing stopped mid-job: ${detail}` })
    }
    this.#events.emit('statusChanged', next, previous)
  }

  #onDisconnect(cause: Error): void {
    this.#health.disconnects++
    this.#log.warn({ err: cause }, 'device disconnected')
    this.#realtime.cancelAll('device disconnected')
    this.#status.set({ state: 'noDevice', errorCode: 'disconnected' })
    // a status query waiting on the old link must not block the new one
    this.#statusLock.close()
    this.#statusLock = new RequestQueue()
    this.#scheduleReconnect(this.#options.reconnect ? this.#options.reconnect.initialDelayMs : 0)
  }

  #scheduleReconnect(delayMs: number): void {
    const policy = this.#options.reconnect
    if (!policy || !this.#open) return
    this.#reconnectTimer = setTimeout(async () => {
      if (!this.#open) return
      try {
        await this.#transport.open()
      } catch (err) {
        this.#log.debug({ err, delayMs }, 'reconnect failed')
        this.#scheduleReconnect(Math.min(delayMs * 2, policy.maxDelayMs))
        return
      }
      this.#health.reconnects++
      this.#log.info('reconnected')
      await this.#initialise()
      this.#schedulePoll()
    }, delayMs)
  }
}

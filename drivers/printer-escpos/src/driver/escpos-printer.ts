import {
  AppError,
  type ConfigurableDevice,
  type DeviceConfig,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  type DeviceUpdateFailureDetail,
  type FirmwareUpdatableDevice,
  type FirmwareUpdateOptions,
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
  configFromReadBack,
  ESCPOS_CONFIG_KEYS,
  type EscPosConfigPlan,
  planEscPosConfig,
  switchMatches,
} from '../codec/escpos-config.ts'
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
import {
  encodeEndUserSettings,
  encodeEnterUserSettings,
  encodePrinterInfo,
  encodeReadSwitch,
  encodeReadValue,
  PrinterInfo,
  parseSwitchReply,
  parseValueReply,
  REPLY_ID_ENTERED,
  REPLY_PRINTER_INFO,
  REPLY_USER_SETTING,
  type ReplyBlock,
  SettingParam,
} from '../codec/user-settings.ts'
import { PrinterErrorCodes } from '../errors.ts'
import { GS_ENTER_BOOTLOADER, REPLY_ID_BOOTLOADER, REPLY_ID_REFUSED } from '../firmware/bootloader.ts'
import { readFirmwareHeader } from '../firmware/image.ts'
import { type ConfigValidator, compileConfigSchema } from './config-schema.ts'
import { PrinterHealth } from './health.ts'
import { type EscPosPrinterOptions, type FirmwareTimings, validateOptions } from './options.ts'
import { runXmodemTransfer, type TransferFailure } from './xmodem-transfer.ts'

type UpdateResult<T> = Result<T, DeviceUpdateFailureDetail>

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
export class EscPosPrinter implements ReceiptPrinter, ConfigurableDevice, FirmwareUpdatableDevice {
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
  readonly #options: Required<
    Omit<EscPosPrinterOptions, 'profile' | 'textCodec' | 'logger' | 'reconnect' | 'update' | 'firmwareTimings'>
  > & {
    reconnect: EscPosPrinterOptions['reconnect']
  }
  readonly #replies = new FrameWaiter<ReplyBlock>()
  readonly #update: EscPosPrinterOptions['update']
  readonly #configValidator: ConfigValidator | undefined
  readonly #timings: Required<FirmwareTimings>
  #updating = false
  #pendingJobs = 0
  #firmware: string | undefined
  /** Set while the bootloader link is up: device bytes go to the XMODEM sender. */
  #byteRoute: ((byte: number) => void) | undefined
  /** Set while entering the bootloader: its ready block switches the route for the rest of the chunk. */
  #routeAfterBlock: ((block: ReplyBlock) => ((byte: number) => void) | undefined) | undefined
  #goneListeners = new Set<() => void>()
  /** The bootloader's last refusal reason (`37 7F <reason> 00`), which may arrive with its CAN CAN. */
  #lastRefusal: string | undefined
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
    this.#update = options.update
    this.#configValidator = options.update?.configSchema ? compileConfigSchema(options.update.configSchema) : undefined
    this.#timings = {
      replyTimeoutMs: 2000,
      startTimeoutMs: 3000,
      blockTimeoutMs: 5000,
      maxRetries: 10,
      restartTimeoutMs: 30_000,
      restartPollMs: 500,
      ...options.firmwareTimings,
    }
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
    this.#replies.cancelAll('printer closed')
    for (const gone of [...this.#goneListeners]) gone()
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
      // never put status queries into a firmware transfer or a settings session
      if (!this.#profile.realtimeStatus || this.#updating) return ok(this.getStatus())
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
    this.#pendingJobs++
    return this.#jobs.run(async () => {
      try {
        return await this.#printNow(document, encoded)
      } finally {
        this.#pendingJobs--
      }
    })
  }

  async #printNow(
    document: ReceiptDocument,
    encoded: ReturnType<typeof encodeReceipt>,
  ): Promise<Result<PrintedReceipt, PrinterFailureDetail>> {
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
  }

  // ---- configuration and firmware (issue #8) ------------------------------------------------

  /** The firmware version last read from the printer (GS I 0x41), undefined before the first read. */
  get firmware(): string | undefined {
    return this.#firmware
  }

  /** GS I 0x41. Answered between jobs; during an update the cached version is returned. */
  async readFirmwareVersion(): Promise<UpdateResult<string>> {
    if (!this.#open) return fail('deviceNotReady', `${this.description} is not open`, 'notOpen')
    if (this.#updating && this.#firmware !== undefined) return ok(this.#firmware)
    const reply = await this.#ask(encodePrinterInfo(PrinterInfo.firmware), isInfoBlock, this.#timings.replyTimeoutMs)
    if (!reply.ok) return fail(reply.error.code, `GS I 0x41: ${reply.error.message}`, 'noResponse')
    this.#firmware = latin1(reply.value.data)
    return ok(this.#firmware)
  }

  /**
   * Writes print density / speed / code page (GS ( E fn 5) and memory switches (fn 3), reads each
   * back (fn 6 / fn 4) and ends the session (fn 2): the printer resets and is back online before
   * this resolves. Refused while a job is queued or printing.
   */
  async applyConfig(config: DeviceConfig): Promise<UpdateResult<{ applied: string[] }>> {
    const refused = this.#refuseUpdate('config')
    if (refused) return refused
    const checked = this.#checkConfig(config)
    if (!checked.ok) return checked
    const plan = checked.value
    return this.#exclusive('config', async (log) => {
      const entered = await this.#enterUserSettings()
      if (!entered.ok) return entered
      let outcome: UpdateResult<{ applied: string[] }> = ok({ applied: plan.keys })
      for (const command of plan.commands) await this.#send(command)
      const readBack = await this.#readSettings(plan)
      if (!readBack.ok) outcome = readBack
      else {
        const wrong = mismatches(plan, readBack.value.values, readBack.value.switches)
        if (wrong.length > 0) {
          outcome = fail('hardwareError', `printer kept other values for ${wrong.join(', ')}`, 'readBackMismatch')
        }
      }
      const restarted = await this.#endUserSettings()
      if (!restarted.ok) return restarted
      if (outcome.ok) log.info({ applied: plan.keys }, 'config applied')
      return outcome
    })
  }

  /** Reads the settings this driver can write (a session: the printer resets at its end). */
  async readConfig(): Promise<UpdateResult<DeviceConfig>> {
    const refused = this.#refuseUpdate('config')
    if (refused) return refused
    const keys = this.#configKeys()
    const params = [
      keys.includes('printDensity') ? SettingParam.printDensity : undefined,
      keys.includes('printSpeed') ? SettingParam.printSpeed : undefined,
      keys.includes('codePage') ? SettingParam.codePage : undefined,
    ].filter((p) => p !== undefined)
    const switches = keys.includes('memorySwitches') ? [1, 2, 3, 4, 5, 6, 7, 8] : []
    return this.#exclusive('config', async () => {
      const entered = await this.#enterUserSettings()
      if (!entered.ok) return entered
      const values = new Map<number, number>()
      const bits = new Map<number, string>()
      for (const param of params) {
        const r = await this.#readValue(param)
        if (r.ok) values.set(param, r.value)
      }
      for (const msw of switches) {
        const r = await this.#readSwitch(msw)
        if (r.ok) bits.set(msw, r.value)
      }
      const restarted = await this.#endUserSettings()
      if (!restarted.ok) return restarted
      return ok(configFromReadBack(values, bits) as DeviceConfig)
    })
  }

  /**
   * Flashes a KFW1 image (firmware/image.ts) with our emulated vendors' bootloader convention
   * (firmware/bootloader.ts): enter the bootloader, XMODEM-1K/CRC, wait for the restart, and
   * return the version GS I 0x41 reports afterwards. The printer itself checks model and sha256.
   */
  async updateFirmware(
    image: Uint8Array,
    options: FirmwareUpdateOptions = {},
  ): Promise<UpdateResult<{ firmware: string }>> {
    const refused = this.#refuseUpdate('firmware')
    if (refused) return refused
    const header = readFirmwareHeader(image)
    if (!header.ok) return fail('invalidData', `not a firmware image: ${header.problem}`, 'badImage')
    if (image.length < header.header.totalLength) return fail('invalidData', 'firmware image is truncated', 'badImage')
    if (options.signal?.aborted) return fail('canceled', 'firmware update aborted before it began', 'aborted')
    return this.#exclusive('firmware', async (log) => {
      const before = await this.readFirmwareVersion()
      if (!before.ok) return before
      log.info({ from: before.value, to: header.header.version, bytes: image.length }, 'firmware update start')
      this.#lastRefusal = undefined
      const early: number[] = []
      let route: (byte: number) => void = (byte) => early.push(byte)
      const isReady = (b: ReplyBlock) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_BOOTLOADER
      const ready = this.#expectReply(isReady)
      this.#routeAfterBlock = (block) => (isReady(block) ? (byte) => route(byte) : undefined)
      await this.#send(Uint8Array.from(GS_ENTER_BOOTLOADER))
      const entered = await ready
      this.#routeAfterBlock = undefined
      if (!entered.ok) {
        if (entered.error.code === 'canceled') {
          return fail('hardwareError', 'the printer vanished before the transfer', 'disconnected')
        }
        // it answered GS I a moment ago but not the bootloader command: it has no such bootloader
        return fail('unsupported', 'the printer did not enter a bootloader (GS ( E fn 0x7E unanswered)', 'refused')
      }
      const transfer = runXmodemTransfer(
        image,
        {
          write: (bytes) => this.#send(bytes),
          route: (onByte) => {
            route = onByte
            for (const byte of early.splice(0)) onByte(byte)
            return () => {
              route = () => undefined
              // what follows the transfer (a refusal reason) is ESC/POS again
              this.#byteRoute = undefined
              this.#decoder.reset()
            }
          },
          onGone: (listener) => {
            this.#goneListeners.add(listener)
            return () => this.#goneListeners.delete(listener)
          },
        },
        {
          startTimeoutMs: this.#timings.startTimeoutMs,
          blockTimeoutMs: this.#timings.blockTimeoutMs,
          maxRetries: this.#timings.maxRetries,
          onProgress: options.onProgress,
          signal: options.signal,
        },
      )
      const done = await transfer
      this.#byteRoute = undefined
      this.#decoder.reset()
      this.#health.firmwareRetransmits += done.stats.retransmits
      if (!done.ok) return this.#transferFailed(done.reason, log)
      options.onProgress?.(1)
      log.info({ retransmits: done.stats.retransmits }, 'image accepted, waiting for the restart')
      const after = await this.#waitForRestart()
      if (!after.ok) return after
      if (after.value !== header.header.version) {
        return fail(
          'hardwareError',
          `the printer reports firmware ${after.value} after the update, expected ${header.header.version}`,
          'refused',
        )
      }
      log.info({ firmware: after.value }, 'firmware updated')
      return ok({ firmware: after.value })
    })
  }

  #refuseUpdate(kind: 'config' | 'firmware'): UpdateResult<never> | undefined {
    if (!this.#open) return fail('deviceNotReady', `${this.description} is not open`, 'notOpen')
    if (this.#updating || this.#pendingJobs > 0) {
      return fail('deviceNotReady', 'the printer is busy (printing or updating)', 'busy')
    }
    if (kind === 'firmware' && this.#update !== undefined && this.#update.firmware !== true) {
      return fail('unsupported', 'this model takes no firmware updates', 'refused')
    }
    if (kind === 'config' && this.#update !== undefined && this.#update.configSchema === undefined) {
      return fail('unsupported', 'this model takes no configuration', 'refused')
    }
    return undefined
  }

  #configKeys(): string[] {
    const properties = this.#update?.configSchema?.properties
    if (typeof properties === 'object' && properties !== null) return Object.keys(properties)
    return [...ESCPOS_CONFIG_KEYS]
  }

  #checkConfig(config: DeviceConfig): UpdateResult<EscPosConfigPlan> {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      return fail('invalidData', 'a config is an object of settings', 'badValue')
    }
    const unsupported = Object.keys(config).filter(
      (k) => (ESCPOS_CONFIG_KEYS as readonly string[]).includes(k) && !this.#configKeys().includes(k),
    )
    if (unsupported.length > 0) {
      return fail('unsupported', `this model does not take ${unsupported.join(', ')}`, 'unknownKey')
    }
    const schemaProblems = this.#configValidator?.(config)
    if (schemaProblems && schemaProblems.length > 0) {
      return fail('invalidData', `config does not match the model's schema: ${schemaProblems.join('; ')}`, 'badValue')
    }
    const planned = planEscPosConfig(config)
    if (!planned.ok) {
      const detail = planned.unknownKeys.length > 0 ? 'unknownKey' : 'badValue'
      return fail('invalidData', `invalid config: ${planned.problems.join('; ')}`, detail)
    }
    return ok(planned.plan)
  }

  /** Runs an update step with the printer to itself: no job, no status poll, status `busy`. */
  #exclusive<T>(kind: string, task: (log: Logger) => Promise<UpdateResult<T>>): Promise<UpdateResult<T>> {
    this.#updating = true
    const log = this.#log.child({ update: kind })
    return this.#jobs.run(async () => {
      const previous = this.getStatus()
      this.#status.set({ ...previous, state: 'busy' })
      try {
        const result = await task(log)
        if (!result.ok) log.warn({ code: result.error.code, detail: result.error.detail }, result.error.message)
        return result
      } finally {
        this.#routeAfterBlock = undefined
        this.#byteRoute = undefined
        this.#decoder.reset()
        this.#updating = false
        if (this.getStatus().state === 'busy') this.#status.set(previous)
        // the printer reset: Automatic Status Back is off again, and the status must be asked anew
        if (this.#transport.isOpen && this.#open) await this.#initialise()
      }
    })
  }

  #expectReply(matches: (block: ReplyBlock) => boolean, timeoutMs = this.#timings.replyTimeoutMs) {
    return this.#replies.expect(matches, timeoutMs)
  }

  async #ask(bytes: Uint8Array, matches: (block: ReplyBlock) => boolean, timeoutMs: number) {
    const reply = this.#expectReply(matches, timeoutMs)
    if (!(await this.#send(bytes))) this.#replies.cancelAll('write failed')
    return reply
  }

  async #enterUserSettings(): Promise<UpdateResult<void>> {
    const reply = await this.#ask(
      encodeEnterUserSettings(),
      (b) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_ENTERED,
      this.#timings.replyTimeoutMs,
    )
    if (reply.ok) return ok(undefined)
    // a printer that answers GS I but not GS ( E fn 1 has no user setting mode
    const alive = await this.#ask(encodePrinterInfo(PrinterInfo.firmware), isInfoBlock, this.#timings.replyTimeoutMs)
    if (alive.ok) return fail('unsupported', 'the printer has no GS ( E user setting mode', 'refused')
    return fail('timeout', `no answer to GS ( E fn 1: ${reply.error.message}`, 'noResponse')
  }

  /** fn 2: ends the session; the printer resets, and is awaited back online. */
  async #endUserSettings(): Promise<UpdateResult<string>> {
    await this.#send(encodeEndUserSettings())
    return this.#waitForRestart()
  }

  async #readValue(param: number): Promise<UpdateResult<number>> {
    const reply = await this.#ask(
      encodeReadValue(param),
      (b) => parseValueReply(b)?.param === param,
      this.#timings.replyTimeoutMs,
    )
    if (!reply.ok) return fail(reply.error.code, `GS ( E fn 6 ${param}: ${reply.error.message}`, 'noResponse')
    return ok(parseValueReply(reply.value)?.value ?? 0)
  }

  async #readSwitch(msw: number): Promise<UpdateResult<string>> {
    const reply = await this.#ask(
      encodeReadSwitch(msw),
      (b) => parseSwitchReply(b) !== undefined,
      this.#timings.replyTimeoutMs,
    )
    if (!reply.ok) return fail(reply.error.code, `GS ( E fn 4 ${msw}: ${reply.error.message}`, 'noResponse')
    return ok(parseSwitchReply(reply.value) ?? '')
  }

  async #readSettings(
    plan: EscPosConfigPlan,
  ): Promise<UpdateResult<{ values: Map<number, number>; switches: Map<number, string> }>> {
    const values = new Map<number, number>()
    const switches = new Map<number, string>()
    for (const param of plan.values.keys()) {
      const r = await this.#readValue(param)
      if (!r.ok) return r
      values.set(param, r.value)
    }
    for (const msw of plan.switches.keys()) {
      const r = await this.#readSwitch(msw)
      if (!r.ok) return r
      switches.set(msw, r.value)
    }
    return ok({ values, switches })
  }

  /**
   * Polls GS I 0x41 until the restarted printer answers, within restartTimeoutMs. A USB printer
   * may re-enumerate while it restarts: the reconnect logic reopens the port meanwhile.
   */
  async #waitForRestart(): Promise<UpdateResult<string>> {
    const deadline = Date.now() + this.#timings.restartTimeoutMs
    this.#decoder.reset()
    for (;;) {
      if (!this.#open) return fail('deviceNotReady', 'the printer was closed while it restarted', 'notOpen')
      if (this.#transport.isOpen) {
        const reply = await this.#ask(encodePrinterInfo(PrinterInfo.firmware), isInfoBlock, this.#timings.restartPollMs)
        if (reply.ok) {
          this.#firmware = latin1(reply.value.data)
          return ok(this.#firmware)
        }
      } else await new Promise((resolve) => setTimeout(resolve, this.#timings.restartPollMs))
      if (Date.now() >= deadline) {
        return fail(
          'timeout',
          `the printer did not come back within ${this.#timings.restartTimeoutMs} ms`,
          'notRestarted',
        )
      }
    }
  }

  async #transferFailed(reason: TransferFailure, log: Logger): Promise<UpdateResult<never>> {
    switch (reason) {
      case 'cancelledByReceiver': {
        let text = this.#lastRefusal
        if (text === undefined) {
          const why = await this.#expectReply((b) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_REFUSED)
          text = why.ok ? latin1(why.value.data.subarray(1)) : 'no reason given'
        }
        log.warn({ reason: text }, 'the printer refused the image')
        const detail = text === 'wrongModel' ? 'wrongModel' : 'refused'
        return fail('invalidData', `the printer refused the firmware image: ${text}`, detail)
      }
      case 'aborted':
        return fail('canceled', 'firmware update aborted; the printer keeps its old firmware', 'aborted')
      case 'disconnected':
      case 'writeFailed':
        return fail('hardwareError', 'the printer vanished during the firmware transfer', 'disconnected')
      case 'noReceiver':
        return fail('timeout', 'the bootloader never asked for the image', 'noResponse')
      case 'receiverSilent':
        return fail('timeout', 'the printer stopped answering mid-transfer; it keeps its old firmware', 'noResponse')
      case 'tooManyRetries':
        return fail('hardwareError', 'too many failed blocks; transfer cancelled', 'transferFailed')
    }
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
    if (this.#byteRoute !== undefined) {
      for (let i = 0; i < chunk.length; i++) {
        const route = this.#byteRoute
        if (route === undefined) {
          // the transfer ended mid-chunk: what follows (a refusal reason) is ESC/POS again
          this.#decode(chunk.subarray(i))
          return
        }
        route(chunk[i] ?? 0)
      }
      return
    }
    if (this.#routeAfterBlock !== undefined) {
      // byte by byte: the bootloader's first `C` may follow its ready block in the same chunk
      for (let i = 0; i < chunk.length; i++) {
        if (this.#byteRoute !== undefined) {
          this.#onData(chunk.subarray(i))
          return
        }
        this.#decode(chunk.subarray(i, i + 1))
      }
      return
    }
    this.#decode(chunk)
  }

  #decode(chunk: Uint8Array): void {
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.#health.discardedBytes += event.bytes.length
        this.#log.warn({ reason: event.reason, length: event.bytes.length }, 'discarded bytes')
        continue
      }
      const frame = event.frame
      if (frame.type === 'block') {
        const block = { header: frame.header, data: frame.data }
        if (block.header === REPLY_USER_SETTING && block.data[0] === REPLY_ID_REFUSED) {
          this.#lastRefusal = latin1(block.data.subarray(1))
        }
        const route = this.#routeAfterBlock?.(block)
        if (route !== undefined) this.#byteRoute = route
        if (!this.#replies.push(block)) this.#health.discardedBytes += block.data.length + 2
      } else if (frame.type === 'asb') this.#applyBits(decodeAsb(frame.bytes))
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
    this.#replies.cancelAll('device disconnected')
    for (const gone of [...this.#goneListeners]) gone()
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

const isInfoBlock = (block: ReplyBlock): boolean => block.header === REPLY_PRINTER_INFO
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

/** Config keys whose read-back differs from what was written. */
function mismatches(plan: EscPosConfigPlan, values: Map<number, number>, switches: Map<number, string>): string[] {
  const wrong: string[] = []
  for (const [param, value] of plan.values) if (values.get(param) !== value) wrong.push(`setting ${param}`)
  for (const [msw, bits] of plan.switches) {
    if (!switchMatches(bits, switches.get(msw) ?? '')) wrong.push(`memory switch ${msw}`)
  }
  return wrong
}

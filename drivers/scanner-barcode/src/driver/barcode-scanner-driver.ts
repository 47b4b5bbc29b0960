import {
  type BarcodeReader,
  type BarcodeReaderEvents,
  type BarcodeReaderFailureDetail,
  type BarcodeScan,
  type BarcodeScannerMode,
  type ConfigurableDevice,
  type DeviceConfig,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  type DeviceUpdateFailureDetail,
  fail,
  ok,
  type Result,
  type Transport,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  decodeScanText,
  encodeMenuCommand,
  HidKeyboardDecoder,
  HidPosDecoder,
  KEYBOARD_LAYOUTS,
  type KeyboardLayout,
  type KeyboardLayoutName,
  type KeyboardSuffix,
  MENU_SAVE,
  MENU_VOLATILE,
  parseMenuReply,
  planHoneywellConfig,
  type ScanDecodeEvent,
  type ScanDecoder,
  type ScanEncoding,
  SerialScanDecoder,
  symbologyFromAim,
  symbologyFromHoneywellCodeId,
} from '../codec/index.ts'
import { ScannerHealth } from './scanner-health.ts'

export interface BarcodeScannerDriverOptions {
  mode: BarcodeScannerMode
  /** Creates the transport; called on open and on every reconnect. HID transports deliver one report per chunk. */
  openTransport: () => Transport
  /** hidKeyboard: the layout the scanner types in. Default `us`. */
  keyboardLayout?: KeyboardLayoutName | KeyboardLayout
  /** hidKeyboard: the key that ends a scan. Default `enter`. */
  keyboardSuffix?: KeyboardSuffix
  /** serial: framing (§3.3). Default suffix CR, no prefix, no AIM id. */
  serial?: { suffix?: Uint8Array; prefix?: Uint8Array; aimIdPrefix?: boolean }
  /** Command bytes that start / stop a scan on manual-trigger models (serial, or HID POS output reports). */
  triggerStart?: Uint8Array
  triggerStop?: Uint8Array
  /** Payload encoding (serial and HID POS). Default utf-8. */
  encoding?: ScanEncoding
  /** A partial scan idle this long is dropped (or, without a suffix, ends the scan). Default 300 ms. */
  idleTimeoutMs?: number
  maxScanBytes?: number
  /** Emit scans from the start. Default true. */
  enabled?: boolean
  /** Reconnect backoff. Defaults 250 ms doubling to 10 s. */
  backoff?: { initialMs: number; maxMs: number }
  logger?: Logger
  description?: string
  /**
   * Serial Honeywell scanners: take configuration as menu commands (`applyConfig`, keys of
   * codec/honeywell-menu.ts). Set from the registry definition's `update.configSchema`.
   */
  menuConfig?: boolean
  /** How long the scanner may take to answer a menu command, ms (default 2000). */
  menuTimeoutMs?: number
}

/**
 * A barcode/QR scanner as a BarcodeReader device service: owns the transport and the decoder of
 * its mode, turns scans into `scanned {data, symbology}` events, gates them with enable/disable,
 * counts discards, and reconnects with backoff when the scanner is unplugged. Logs lengths only:
 * scanned content may be personal.
 */
export class BarcodeScannerDriver implements BarcodeReader, ConfigurableDevice {
  readonly description: string
  readonly mode: BarcodeScannerMode
  readonly #options: BarcodeScannerDriverOptions
  readonly #idleMs: number
  readonly #backoff: { initialMs: number; maxMs: number }
  readonly #log: Logger
  readonly #status = new DeviceStatusModel({ state: 'offline' })
  readonly #events = new TypedEvents<BarcodeReaderEvents>()
  readonly #health = new ScannerHealth()
  readonly #decoder: ScanDecoder
  #transport: Transport | undefined
  #off: (() => void)[] = []
  #enabled: boolean
  #closed = true
  #idleTimer: ReturnType<typeof setTimeout> | undefined
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #retryDelay: number
  /** While a menu command waits for its answer, device bytes go here instead of the scan decoder. */
  #menuReply: { bytes: number[]; done: (reply: Uint8Array | undefined) => void } | undefined

  constructor(options: BarcodeScannerDriverOptions) {
    if (typeof options.openTransport !== 'function')
      throw new TypeError('BarcodeScannerDriverOptions.openTransport is required')
    if (!['hidKeyboard', 'hidPos', 'serial'].includes(options.mode)) {
      throw new TypeError(`BarcodeScannerDriverOptions.mode must be hidKeyboard, hidPos or serial, got ${options.mode}`)
    }
    const idle = options.idleTimeoutMs ?? 300
    if (!(idle > 0)) throw new TypeError('BarcodeScannerDriverOptions.idleTimeoutMs must be positive')
    const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 }
    if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs)) {
      throw new TypeError('BarcodeScannerDriverOptions.backoff needs 0 < initialMs <= maxMs')
    }
    if (options.encoding !== undefined && !['utf-8', 'gbk', 'gb18030'].includes(options.encoding)) {
      throw new TypeError(`BarcodeScannerDriverOptions.encoding must be utf-8, gbk or gb18030, got ${options.encoding}`)
    }
    this.#options = options
    this.mode = options.mode
    this.#idleMs = idle
    this.#backoff = backoff
    this.#retryDelay = backoff.initialMs
    this.#enabled = options.enabled ?? true
    this.#decoder = this.#newDecoder()
    this.description = options.description ?? `barcode-${options.mode}`
    this.#log = (options.logger ?? pino({ level: 'silent' })).child(
      { driver: 'scanner-barcode', device: this.description },
      { redact: ['data', '*.data', 'scan'] },
    )
    this.#status.onChanged((next, previous) => this.#events.emit('statusChanged', next, previous))
  }

  get enabled(): boolean {
    return this.#enabled
  }

  /** Opens the transport (throws ERR_DRV_TRANSPORT_OPEN_FAILED / ERR_DRV_HID_*). */
  async open(): Promise<void> {
    this.#closed = false
    await this.#connect()
    this.#log.info({ mode: this.mode }, 'opened')
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    this.#record(this.#decoder.reset())
    const transport = this.#detach()
    await transport?.close()
    this.#status.set({ state: 'offline' })
    this.#log.info('closed')
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  getCounters(): DeviceCounters {
    return this.#health.snapshot()
  }

  on<K extends keyof BarcodeReaderEvents>(event: K, listener: (...args: BarcodeReaderEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  async enable(): Promise<Result<void, BarcodeReaderFailureDetail>> {
    this.#enabled = true
    this.#log.info('scanning enabled')
    return ok(undefined)
  }

  async disable(): Promise<Result<void, BarcodeReaderFailureDetail>> {
    this.#enabled = false
    this.#log.info('scanning disabled')
    if (this.#options.triggerStop && this.#transport?.isOpen) return this.#send(this.#options.triggerStop)
    return ok(undefined)
  }

  async trigger(): Promise<Result<void, BarcodeReaderFailureDetail>> {
    const start = this.#options.triggerStart
    if (!start || this.mode === 'hidKeyboard') {
      return fail('unsupported', 'this scanner has no trigger command (set triggerStart)', 'triggerUnsupported')
    }
    if (!this.#enabled) return fail('deviceNotReady', 'scanning is disabled', 'notEnabled')
    const sent = await this.#send(start)
    if (sent.ok) this.#health.add('triggers')
    return sent
  }

  /**
   * Honeywell menu commands, saved in the scanner's flash (`.`): beeper and beeper volume. Scans that
   * arrive while the scanner answers are not lost as a reply: the reply is read only up to its
   * terminator.
   */
  async applyConfig(config: DeviceConfig): Promise<Result<{ applied: string[] }, DeviceUpdateFailureDetail>> {
    if (!this.#options.menuConfig || this.mode !== 'serial') {
      return fail('unsupported', 'this scanner takes no configuration (serial Honeywell menu commands only)', 'refused')
    }
    const plan = planHoneywellConfig(config)
    if (!plan.ok) {
      const detail = plan.unknownKeys.length > 0 ? 'unknownKey' : 'badValue'
      return fail('invalidData', `invalid config: ${plan.problems.join('; ')}`, detail)
    }
    if (this.#menuReply !== undefined) return fail('deviceNotReady', 'a menu command is in progress', 'busy')
    const timeoutMs = this.#options.menuTimeoutMs ?? 2000
    let settle: (bytes: Uint8Array | undefined) => void = () => undefined
    const reply = new Promise<Uint8Array | undefined>((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs)
      settle = (bytes) => {
        clearTimeout(timer)
        this.#menuReply = undefined
        resolve(bytes)
      }
      this.#menuReply = { bytes: [], done: settle }
    })
    const sent = await this.#send(encodeMenuCommand(plan.commands))
    if (!sent.ok) {
      settle(undefined)
      return fail(sent.error.code, sent.error.message, 'disconnected')
    }
    const bytes = await reply
    if (bytes === undefined)
      return fail('timeout', `no answer to the menu command within ${timeoutMs} ms`, 'noResponse')
    const results = parseMenuReply(bytes)
    if (results === undefined) return fail('commandError', 'the scanner answered something else', 'noResponse')
    const refused = results.filter((r) => r.status !== 'ack')
    if (refused.length > 0) {
      const what = refused.map((r) => `${r.command} (${r.status === 'enq' ? 'unknown' : 'out of range'})`).join(', ')
      return fail('invalidData', `the scanner refused ${what}`, 'refused')
    }
    this.#log.info({ applied: plan.keys }, 'config applied')
    return ok({ applied: plan.keys })
  }

  async #send(bytes: Uint8Array): Promise<Result<void, BarcodeReaderFailureDetail>> {
    const transport = this.#transport
    if (!transport?.isOpen) return fail('deviceNotReady', 'scanner is not connected', 'disconnected')
    try {
      await transport.write(bytes)
      return ok(undefined)
    } catch (err) {
      this.#log.warn({ err }, 'write failed')
      return fail('hardwareError', `write to the scanner failed: ${(err as Error).message}`, 'disconnected')
    }
  }

  #newDecoder(): ScanDecoder {
    const max = this.#options.maxScanBytes
    if (this.mode === 'hidKeyboard') {
      const layout = this.#options.keyboardLayout ?? 'us'
      return new HidKeyboardDecoder({
        layout: typeof layout === 'string' ? KEYBOARD_LAYOUTS[layout] : layout,
        suffix: this.#options.keyboardSuffix ?? 'enter',
        ...(max === undefined ? {} : { maxLength: max }),
      })
    }
    if (this.mode === 'hidPos') return new HidPosDecoder(max === undefined ? {} : { maxScanBytes: max })
    return new SerialScanDecoder({ ...this.#options.serial, ...(max === undefined ? {} : { maxScanBytes: max }) })
  }

  async #connect(): Promise<void> {
    const transport = this.#options.openTransport()
    await transport.open()
    if (this.#closed) {
      await transport.close()
      return
    }
    this.#transport = transport
    this.#off = [
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onDisconnect((cause) => this.#onDisconnect(cause)),
    ]
    this.#status.set({ state: 'online' })
    this.#retryDelay = this.#backoff.initialMs
  }

  #detach(): Transport | undefined {
    for (const off of this.#off) off()
    this.#off = []
    const transport = this.#transport
    this.#transport = undefined
    return transport
  }

  #onData(input: Uint8Array): void {
    this.#log.trace({ dir: 'in', len: input.length }, 'bytes')
    let chunk = input
    const menu = this.#menuReply
    if (menu !== undefined) {
      const end = chunk.findIndex((b) => b === MENU_SAVE || b === MENU_VOLATILE)
      menu.bytes.push(...chunk.subarray(0, end < 0 ? chunk.length : end + 1))
      if (end < 0) return
      menu.done(Uint8Array.from(menu.bytes))
      chunk = chunk.subarray(end + 1)
      if (chunk.length === 0) return
    }
    this.#record(this.#decoder.push(chunk))
    clearTimeout(this.#idleTimer)
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      const framedBySuffix =
        (this.mode === 'serial' && (this.#options.serial?.suffix ?? Uint8Array.of(0x0d)).length > 0) ||
        (this.mode === 'hidKeyboard' && (this.#options.keyboardSuffix ?? 'enter') !== 'none')
      this.#record(framedBySuffix || this.mode === 'hidPos' ? this.#decoder.reset() : this.#decoder.flush())
    }, this.#idleMs)
  }

  #record(events: ScanDecodeEvent[]): void {
    for (const event of events) {
      if (event.kind === 'discarded') {
        this.#health.add('discardedFrames')
        this.#health.add('discardedBytes', event.bytes.length)
        if (event.reason === 'overflow') this.#health.add('overflows')
        this.#log.warn({ reason: event.reason, len: event.bytes.length }, 'discarded')
        continue
      }
      const data = decodeScanText(event.bytes, this.#options.encoding ?? 'utf-8')
      if (data === undefined) {
        this.#health.add('undecodableScans')
        this.#health.add('discardedBytes', event.bytes.length)
        this.#log.warn(
          { len: event.bytes.length, encoding: this.#options.encoding ?? 'utf-8' },
          'scan is not valid text',
        )
        continue
      }
      const symbology =
        event.aimId !== undefined
          ? symbologyFromAim(event.aimId)
          : event.codeId
            ? symbologyFromHoneywellCodeId(event.codeId)
            : 'unknown'
      const scan: BarcodeScan = { data, symbology }
      if (event.aimId !== undefined) scan.aimId = event.aimId
      if (!this.#enabled) {
        this.#health.add('scansWhileDisabled')
        this.#log.debug({ len: event.bytes.length }, 'scan while disabled, dropped')
        continue
      }
      this.#health.add('scans')
      this.#log.info({ len: event.bytes.length, symbology }, 'scanned')
      this.#events.emit('scanned', scan)
    }
  }

  #onDisconnect(cause: Error): void {
    this.#detach()
    clearTimeout(this.#idleTimer)
    this.#record(this.#decoder.reset())
    this.#health.add('disconnects')
    this.#log.warn({ err: cause }, 'scanner disconnected')
    this.#status.set({ state: 'noDevice', errorCode: 'disconnected' })
    this.#scheduleRetry()
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return
    const delay = this.#retryDelay
    this.#retryDelay = Math.min(delay * 2, this.#backoff.maxMs)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      if (this.#closed) return
      this.#connect().then(
        () => {
          this.#health.add('reconnects')
          this.#log.info('reconnected')
        },
        (err: unknown) => {
          this.#log.debug({ err }, 'reconnect failed')
          this.#scheduleRetry()
        },
      )
    }, delay)
  }
}

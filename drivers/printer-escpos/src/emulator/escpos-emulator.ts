import type { ReceiptAlign, ReceiptBarcodeSymbology, Transport } from '@drivers/core'
import pino, { type Logger } from 'pino'
import QRCode from 'qrcode'
import {
  CommandDecoder,
  type EscPosCommand,
  type EscPosProfile,
  encodeAsb,
  encodeRealtimeStatus,
  encodeTransmitPaperStatus,
  gbCodec,
  generic80mm,
  isRealtimeCommand,
  type PrinterStatusBits,
  type RealtimeStatusKind,
  type TextCodec,
} from '../codec/index.ts'
import {
  encodeEnteredReply,
  encodePrinterInfoReply,
  encodeSwitchReply,
  encodeValueReply,
  PrinterInfo,
  SettingParam,
  USER_FN_END,
  USER_FN_ENTER,
  USER_FN_READ_SWITCH,
  USER_FN_READ_VALUE,
  USER_FN_SET_SWITCHES,
  USER_FN_SET_VALUES,
} from '../codec/user-settings.ts'
import { encodeBootloaderReady, encodeBootloaderRefusal, USER_FN_BOOTLOADER } from '../firmware/bootloader.ts'
import { MAX_FIRMWARE_PAYLOAD, parseFirmwareImage, readFirmwareHeader } from '../firmware/image.ts'
import { XmodemReceiver, type XmodemReceiverEvent } from '../firmware/xmodem.ts'
import { PaperRoll } from './paper-roll.ts'
import { lineHeightDots, type PrintedItem, type PrintedSegment, wrapSegments } from './print-model.ts'

/** First behavior that returns true handles a command (zwave-js MockController behaviors). */
export interface EscPosEmulatorBehavior {
  onCommand(command: EscPosCommand, emulator: EscPosEmulator): boolean
}

export interface EscPosEmulatorOptions {
  transport: Transport
  profile?: EscPosProfile
  /** Paper on the roll, mm (default 50 m). */
  rollLengthMm?: number
  /** The near-end sensor trips with this much paper left (default 1500 mm). */
  nearEndMm?: number
  textCodec?: TextCodec
  behaviors?: EscPosEmulatorBehavior[]
  /** "Slow" fault: the mechanism takes this long per printed item (default 0, instant). */
  delayMs?: number
  /**
   * Take in host bytes no faster than a UART at this baud rate (8N1: 10 bits a byte) would carry
   * them. A pty moves bytes at memory speed whatever its termios say; pacing makes timings real.
   */
  baudRate?: number
  logger?: Logger
  /** Registry id the emulator stands in for; firmware images must be built for it (default `escpos-emulator`). */
  model?: string
  /** Firmware version at first power-up (default `1.00`); ignored when `nv` is given. */
  firmware?: string
  /**
   * The printer's non-volatile memory: firmware version, GS ( E settings, memory switches. Pass
   * another emulator's `nv` to power the same printer up again (after an unplug); it is written in place.
   */
  nv?: EscPosNvState
  /** How long a reset (end of a settings session, after a flash) keeps the printer silent (default 300 ms). */
  restartMs?: number
  /** Bootloader: `C` / idle-poll interval, idle polls before giving up, quiet time after a bad block. */
  bootloader?: { pollMs?: number; maxIdlePolls?: number; purgeQuietMs?: number }
}

/** What survives a reset and a power cycle. */
export interface EscPosNvState {
  model: string
  firmware: string
  serial: string
  /** GS ( E fn 5 customized values by parameter number (5 density, 6 speed, 97 code page). */
  settings: Record<number, number>
  /** Memory switches 1–8, 8 characters of 0/1, bit 8 first. */
  memorySwitches: Record<number, string>
}

export function defaultNvState(model = 'escpos-emulator', firmware = '1.00'): EscPosNvState {
  return {
    model,
    firmware,
    serial: 'EMU00000001',
    settings: { [SettingParam.printDensity]: 0, [SettingParam.printSpeed]: 1, [SettingParam.codePage]: 0 },
    memorySwitches: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, '00000000'])),
  }
}

interface Bootloader {
  receiver: XmodemReceiver
  poll: ReturnType<typeof setInterval>
  purge: ReturnType<typeof setTimeout> | undefined
}

interface Style {
  align: ReceiptAlign
  bold: boolean
  underline: boolean
  width: number
  height: number
}

interface PendingSegment {
  bytes: Uint8Array
  chinese: boolean
  style: Style
}

const defaultStyle = (): Style => ({ align: 'left', bold: false, underline: false, width: 1, height: 1 })

/**
 * An ESC/POS receipt printer on any Transport (memory pair, pty, tcp). Decodes the host's bytes
 * with the codec's CommandDecoder, answers DLE EOT / GS r / ASB with the codec's status encoders,
 * keeps a paper roll that runs low and out and a cover that opens, and records what it printed.
 */
export class EscPosEmulator {
  readonly received: EscPosCommand[] = []
  readonly printed: PrintedItem[] = []
  readonly counters = {
    bytesReceived: 0,
    discarded: 0,
    cuts: 0,
    lines: 0,
    statusReplies: 0,
    restarts: 0,
    settingsWritten: 0,
    xmodemBlocks: 0,
    xmodemNaks: 0,
    firmwareUpdates: 0,
    firmwareRefused: 0,
    transfersAbandoned: 0,
  }
  readonly nv: EscPosNvState
  /** Why the last image was refused or the last transfer ended without one. */
  lastBootloaderOutcome: string | undefined
  readonly profile: EscPosProfile
  readonly paper: PaperRoll
  /** "Slow" fault, adjustable while running. */
  delayMs: number
  /** Power off / dead link: receives but answers nothing and prints nothing. */
  unresponsive = false

  readonly #transport: Transport
  readonly #decoder = new CommandDecoder()
  readonly #text: TextCodec
  readonly #behaviors: EscPosEmulatorBehavior[]
  readonly #log: Logger
  readonly #queue: EscPosCommand[] = []
  #pumping = false
  #unsubscribe: (() => void)[] = []
  #style = defaultStyle()
  #chinese: boolean
  #line: PendingSegment[] = []
  #barcode = { height: 162, width: 3, hri: 0 }
  #qr: { size: number; level: 'L' | 'M' | 'Q' | 'H'; data: Uint8Array } = {
    size: 3,
    level: 'L',
    data: new Uint8Array(0),
  }
  #asbMask = 0
  #lastAsb = ''
  #coverOpen = false
  #manualOffline = false
  #cutterError = false
  #jamNextCut = false
  #unrecoverable = false
  readonly #baudRate: number | undefined
  #wireFreeAt = 0
  #inbound: { at: number; chunk: Uint8Array }[] = []
  #pacing = false
  #waiters: { matches: (c: EscPosCommand) => boolean; resolve: (c: EscPosCommand) => void }[] = []
  #userMode = false
  #restarting: ReturnType<typeof setTimeout> | undefined
  readonly #restartMs: number
  readonly #bootOptions: { pollMs: number; maxIdlePolls: number; purgeQuietMs: number }
  #boot: Bootloader | undefined
  #noise: Uint8Array | undefined

  constructor(options: EscPosEmulatorOptions) {
    this.#transport = options.transport
    this.profile = options.profile ?? generic80mm
    this.paper = new PaperRoll(options.rollLengthMm ?? 50_000, options.nearEndMm ?? 1500)
    this.#text = options.textCodec ?? gbCodec(this.profile.encoding)
    this.#behaviors = options.behaviors ?? []
    this.delayMs = options.delayMs ?? 0
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ mod: 'emulator.escpos' })
    this.#chinese = this.profile.chineseMode === 'alwaysOn'
    if (options.baudRate !== undefined && !(options.baudRate > 0)) {
      throw new TypeError(`EscPosEmulatorOptions.baudRate must be positive, got ${options.baudRate}`)
    }
    this.#baudRate = options.baudRate
    this.nv = options.nv ?? defaultNvState(options.model, options.firmware)
    this.#restartMs = options.restartMs ?? 300
    this.#bootOptions = {
      pollMs: options.bootloader?.pollMs ?? 200,
      maxIdlePolls: options.bootloader?.maxIdlePolls ?? 25,
      purgeQuietMs: options.bootloader?.purgeQuietMs ?? 50,
    }
  }

  async start(): Promise<void> {
    if (!this.#transport.isOpen) await this.#transport.open()
    this.#unsubscribe = [this.#transport.onData((chunk) => this.#onData(chunk))]
  }

  async stop(): Promise<void> {
    // power off: a transfer in progress is lost, the flash keeps the old image
    if (this.#boot) this.#endBootloader('powerLost')
    clearTimeout(this.#restarting)
    this.#restarting = undefined
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    await this.#transport.close()
  }

  // ---- fault switches -------------------------------------------------------------------------

  openCover(): void {
    this.#coverOpen = true
    this.#statusChanged()
  }

  closeCover(): void {
    this.#coverOpen = false
    this.#statusChanged()
    this.#pump()
  }

  setOffline(offline: boolean): void {
    this.#manualOffline = offline
    this.#statusChanged()
    this.#pump()
  }

  /** Leaves only `mm` of paper: printing more runs the roll out mid-job. */
  paperOutAfterMm(mm: number): void {
    this.paper.setRemaining(mm)
    this.#statusChanged()
  }

  loadPaper(lengthMm = 50_000): void {
    this.paper.load(lengthMm)
    this.#statusChanged()
    this.#pump()
  }

  /** The next cut jams the autocutter (recoverable with DLE ENQ). */
  jamNextCut(): void {
    this.#jamNextCut = true
  }

  /** Line noise on the host → printer wire: `noise` is spliced into the middle of the next chunk received. */
  corruptNextChunk(noise: Uint8Array): void {
    this.#noise = noise
  }

  /** Whether the bootloader is receiving an image now. */
  get inBootloader(): boolean {
    return this.#boot !== undefined
  }

  /** Line noise: sends bytes that are no status reply. */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    await this.#transport.write(bytes)
  }

  headFailure(): void {
    this.#unrecoverable = true
    this.#statusChanged()
  }

  /** Lets the printer's own status bits be seen by tests and the CLI. */
  get status(): PrinterStatusBits {
    const paperEnd = this.paper.end
    const errors = this.#cutterError || this.#unrecoverable
    return {
      offline: this.#manualOffline || this.#coverOpen || paperEnd || errors,
      coverOpen: this.#coverOpen,
      feedButton: false,
      paperEndStop: paperEnd,
      errorOccurred: errors,
      recoverableError: false,
      cutterError: this.#cutterError,
      unrecoverableError: this.#unrecoverable,
      autoRecoverableError: false,
      paperNearEnd: this.paper.nearEnd,
      paperEnd,
    }
  }

  /** Commands received but not yet printed (the printer's buffer). */
  get buffered(): number {
    return this.#queue.length
  }

  /** Resolves with the next received command that matches. */
  expectCommand(matches: (command: EscPosCommand) => boolean): Promise<EscPosCommand> {
    return new Promise((resolve) => this.#waiters.push({ matches, resolve }))
  }

  clearPrinted(): void {
    this.printed.length = 0
  }

  // ---- receive path ---------------------------------------------------------------------------

  #onData(chunk: Uint8Array): void {
    if (this.#baudRate === undefined) {
      this.#receive(chunk)
      return
    }
    const now = performance.now()
    this.#wireFreeAt = Math.max(now, this.#wireFreeAt) + (chunk.length * 10 * 1000) / this.#baudRate
    this.#inbound.push({ at: this.#wireFreeAt, chunk: Uint8Array.from(chunk) })
    void this.#drainInbound()
  }

  /** Releases paced chunks in order, each once its last byte would have arrived on the wire. */
  async #drainInbound(): Promise<void> {
    if (this.#pacing) return
    this.#pacing = true
    try {
      for (let next = this.#inbound[0]; next !== undefined; next = this.#inbound[0]) {
        // timers have millisecond resolution and may fire early: sleep again until the time has passed
        for (let ms = next.at - performance.now(); ms > 0; ms = next.at - performance.now()) {
          await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)))
        }
        this.#inbound.shift()
        this.#receive(next.chunk)
      }
    } finally {
      this.#pacing = false
    }
  }

  #receive(input: Uint8Array): void {
    let chunk = input
    if (this.#noise !== undefined && chunk.length > 1) {
      const half = chunk.length >> 1
      chunk = Uint8Array.of(...chunk.subarray(0, half), ...this.#noise, ...chunk.subarray(half))
      this.#noise = undefined
    }
    this.counters.bytesReceived += chunk.length
    // a resetting printer hears nothing
    if (this.#restarting !== undefined) return
    if (this.#boot !== undefined) {
      // power lost with the port still there (USB-serial adapter): the bootloader hears nothing
      if (!this.unresponsive) this.#bootReceive(this.#boot, chunk)
      return
    }
    this.#log.trace({ dir: 'in', hex: Buffer.from(chunk).toString('hex') }, 'bytes')
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.counters.discarded += event.bytes.length
        this.#log.warn({ reason: event.reason, length: event.bytes.length }, 'discarded bytes')
        continue
      }
      const command = event.frame
      this.received.push(command)
      for (const waiter of [...this.#waiters]) {
        if (waiter.matches(command)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
          waiter.resolve(command)
        }
      }
      if (this.unresponsive) continue
      if (this.#behaviors.some((b) => b.onCommand(command, this))) continue
      if (command.type === 'userSetting') {
        this.#userSetting(command.fn, command.data)
        // the bootloader takes over the line from here: later bytes are XMODEM, not ESC/POS
        if (this.#boot !== undefined || this.#restarting !== undefined) {
          this.#decoder.reset()
          break
        }
      } else if (command.type === 'printerInfo') this.#printerInfo(command.n)
      else if (isRealtimeCommand(command)) this.#realtime(command)
      else this.#queue.push(command)
    }
    this.#pump()
  }

  // ---- user settings (GS ( E), printer information (GS I), reset ----------------------------

  #userSetting(fn: number, data: Uint8Array): void {
    const text = Buffer.from(data).toString('latin1')
    if (fn === USER_FN_ENTER && text === 'IN') {
      this.#userMode = true
      this.#sendBytes(encodeEnteredReply())
      return
    }
    if (fn === USER_FN_BOOTLOADER && text === 'BL') {
      this.#startBootloader()
      return
    }
    if (!this.#userMode) {
      this.#log.debug({ fn }, 'GS ( E outside user setting mode ignored')
      return
    }
    switch (fn) {
      case USER_FN_END:
        if (text === 'OUT') this.#restart('settings session ended')
        return
      case USER_FN_SET_SWITCHES:
        for (let i = 0; i + 9 <= data.length; i += 9) {
          const msw = data[i] ?? 0
          const old = this.nv.memorySwitches[msw]
          if (old === undefined) continue
          const bits = [...Buffer.from(data.subarray(i + 1, i + 9)).toString('latin1')]
          this.nv.memorySwitches[msw] = bits.map((c, k) => (c === '2' ? old[k] : c === '1' ? '1' : '0')).join('')
          this.counters.settingsWritten++
        }
        return
      case USER_FN_READ_SWITCH: {
        const bits = this.nv.memorySwitches[data[0] ?? 0]
        if (bits !== undefined) this.#sendBytes(encodeSwitchReply(bits))
        return
      }
      case USER_FN_SET_VALUES:
        for (let i = 0; i + 3 <= data.length; i += 3) {
          this.nv.settings[data[i] ?? 0] = (data[i + 1] ?? 0) | ((data[i + 2] ?? 0) << 8)
          this.counters.settingsWritten++
        }
        return
      case USER_FN_READ_VALUE: {
        const param = data[0] ?? 0
        const value = this.nv.settings[param]
        if (value !== undefined) this.#sendBytes(encodeValueReply(param, value))
        return
      }
    }
  }

  #printerInfo(n: number): void {
    const info: Record<number, string> = {
      [PrinterInfo.firmware]: this.nv.firmware,
      [PrinterInfo.maker]: 'KIOSK-EMU',
      [PrinterInfo.model]: this.nv.model,
      [PrinterInfo.serial]: this.nv.serial,
    }
    const text = info[n]
    if (text !== undefined) this.#sendBytes(encodePrinterInfoReply(text))
  }

  /** Software reset: silent for restartMs, then power-up state with the non-volatile settings. */
  #restart(why: string): void {
    this.counters.restarts++
    this.#log.info({ why }, 'restarting')
    this.#userMode = false
    this.#clearBuffers()
    clearTimeout(this.#restarting)
    this.#restarting = setTimeout(() => {
      this.#restarting = undefined
      this.#style = defaultStyle()
      this.#chinese = this.profile.chineseMode === 'alwaysOn'
      this.#asbMask = 0
      this.#lastAsb = ''
      this.#decoder.reset()
      this.#log.info({ firmware: this.nv.firmware }, 'ready')
    }, this.#restartMs)
  }

  // ---- bootloader (firmware/bootloader.ts) ----------------------------------------------------

  #startBootloader(): void {
    const receiver = new XmodemReceiver({
      maxBytes: MAX_FIRMWARE_PAYLOAD + 4096,
      maxIdlePolls: this.#bootOptions.maxIdlePolls,
      inspectBlock: (data, index) => (index === 0 ? this.#inspectHeader(data) : undefined),
    })
    this.#clearBuffers()
    const boot: Bootloader = {
      receiver,
      poll: setInterval(() => this.#bootEvents(boot, receiver.poll()), this.#bootOptions.pollMs),
      purge: undefined,
    }
    this.#boot = boot
    this.#log.info({ model: this.nv.model, firmware: this.nv.firmware }, 'bootloader entered')
    this.#sendBytes(encodeBootloaderReady(this.nv.model))
    this.#bootEvents(boot, receiver.start())
  }

  /** A real bootloader refuses a foreign image from its header, before taking the rest. */
  #inspectHeader(first: Uint8Array): string | undefined {
    const read = readFirmwareHeader(first)
    if (!read.ok) return read.problem
    if (read.header.model !== this.nv.model) return 'wrongModel'
    return undefined
  }

  #bootReceive(boot: Bootloader, chunk: Uint8Array): void {
    if (boot.receiver.state === 'purging') {
      // discard until the line has been quiet for purgeQuietMs, then NAK
      clearTimeout(boot.purge)
      boot.purge = setTimeout(() => this.#bootEvents(boot, boot.receiver.purged()), this.#bootOptions.purgeQuietMs)
      return
    }
    this.#bootEvents(boot, boot.receiver.receive(chunk))
  }

  #bootEvents(boot: Bootloader, events: XmodemReceiverEvent[]): void {
    if (this.#boot !== boot || this.unresponsive) return
    for (const event of events) {
      switch (event.type) {
        case 'send':
          if (event.bytes.length === 1 && event.bytes[0] === 0x06) this.counters.xmodemBlocks++
          if (event.bytes[0] === 0x15) this.counters.xmodemNaks++
          this.#sendBytes(event.bytes)
          break
        case 'purge':
          this.#log.warn({ reason: event.reason }, 'bad block, purging the line')
          boot.purge = setTimeout(() => this.#bootEvents(boot, boot.receiver.purged()), this.#bootOptions.purgeQuietMs)
          break
        case 'end': {
          const parsed = parseFirmwareImage(event.data)
          const problem = !parsed.ok ? parsed.problem : parsed.image.model !== this.nv.model ? 'wrongModel' : undefined
          if (problem !== undefined || !parsed.ok) {
            this.#bootEvents(boot, boot.receiver.refuse(problem ?? 'badImage'))
            return
          }
          this.#bootEvents(boot, boot.receiver.accept())
          this.nv.firmware = parsed.image.version
          this.counters.firmwareUpdates++
          this.lastBootloaderOutcome = `flashed ${parsed.image.version}`
          this.#endBootloader(undefined)
          this.#restart('firmware flashed')
          return
        }
        case 'refused':
          this.counters.firmwareRefused++
          this.#sendBytes(encodeBootloaderRefusal(event.reason))
          this.#endBootloader(event.reason)
          return
        case 'failed':
          this.counters.transfersAbandoned++
          this.#endBootloader(event.reason)
          return
      }
    }
  }

  #endBootloader(outcome: string | undefined): void {
    const boot = this.#boot
    if (boot === undefined) return
    clearInterval(boot.poll)
    clearTimeout(boot.purge)
    this.#boot = undefined
    this.#decoder.reset()
    if (outcome !== undefined) {
      this.lastBootloaderOutcome = outcome
      this.#log.warn({ outcome, firmware: this.nv.firmware }, 'bootloader left; old firmware kept')
    }
  }

  #sendBytes(bytes: Uint8Array): void {
    this.#send([...bytes])
  }

  #realtime(command: EscPosCommand): void {
    if (command.type === 'realtimeStatus') {
      if (command.n < 1 || command.n > 4) return
      this.counters.statusReplies++
      this.#send([encodeRealtimeStatus(command.n as RealtimeStatusKind, this.status)])
      return
    }
    if (command.type === 'realtimeRequest' && (command.n === 1 || command.n === 2)) {
      this.#cutterError = false
      if (command.n === 2) this.#clearBuffers()
    } else if (command.type === 'clearBuffers') {
      this.#clearBuffers()
    }
    this.#statusChanged()
  }

  #clearBuffers(): void {
    this.#queue.length = 0
    this.#line = []
    this.#decoder.reset()
  }

  get #stopped(): boolean {
    const s = this.status
    return s.offline
  }

  /** Runs the print mechanism over the buffer until it is empty or the printer stops. */
  #pump(): void {
    if (this.#pumping) return
    this.#pumping = true
    const step = (): void => {
      while (this.#queue.length > 0 && !this.#stopped && !this.unresponsive) {
        const command = this.#queue[0]
        if (command === undefined || !this.#execute(command)) break
        this.#queue.shift()
        if (this.delayMs > 0 && isPrinting(command)) {
          setTimeout(step, this.delayMs)
          return
        }
      }
      this.#pumping = false
    }
    step()
  }

  /** Executes one buffered command; false when the paper ran out before it could print. */
  #execute(command: EscPosCommand): boolean {
    const s = this.#style
    switch (command.type) {
      case 'text':
        this.#line.push({ bytes: command.bytes, chinese: this.#chinese, style: { ...s } })
        return true
      case 'lineFeed':
        return this.#printLine(true)
      case 'init':
        this.#style = defaultStyle()
        this.#chinese = this.profile.chineseMode === 'alwaysOn'
        this.#line = []
        return true
      case 'align':
        s.align = command.align
        return true
      case 'bold':
        s.bold = command.on
        return true
      case 'underline':
        s.underline = command.dots > 0
        return true
      case 'printMode':
        Object.assign(s, {
          bold: (command.mode & 0x08) !== 0,
          height: command.mode & 0x10 ? 2 : 1,
          width: command.mode & 0x20 ? 2 : 1,
          underline: (command.mode & 0x80) !== 0,
        })
        return true
      case 'charSize':
        s.width = Math.min(command.width, 8)
        s.height = Math.min(command.height, 8)
        return true
      case 'chineseMode':
        this.#chinese = command.on || this.profile.chineseMode === 'alwaysOn'
        return true
      case 'feedLines':
        return this.#printLine(false) && this.#advance(command.lines * this.profile.lineSpacingDots)
      case 'feedDots':
        return this.#printLine(false) && this.#advance(command.dots)
      case 'cut':
        return this.#cut(command.partial)
      case 'barcodeHeight':
        this.#barcode.height = command.dots
        return true
      case 'barcodeWidth':
        this.#barcode.width = command.dots
        return true
      case 'barcodeHri':
        this.#barcode.hri = command.position
        return true
      case 'barcode':
        return this.#barcodeItem(command.symbology, command.data)
      case 'qrModuleSize':
        this.#qr.size = command.size
        return true
      case 'qrErrorCorrection':
        this.#qr.level = command.level
        return true
      case 'qrStore':
        this.#qr.data = command.data
        return true
      case 'qrPrint':
        return this.#qrItem()
      case 'raster': {
        const item: PrintedItem = {
          kind: 'raster',
          align: s.align,
          widthDots: command.widthBytes * 8,
          heightDots: command.height,
          bits: command.bits,
        }
        return this.#emit(item, command.height)
      }
      case 'transmitStatus':
        if (command.n === 1) this.#send([encodeTransmitPaperStatus(this.status)])
        return true
      case 'asbEnable':
        this.#asbMask = command.mask
        this.#lastAsb = ''
        this.#statusChanged()
        return true
      default:
        return true
    }
  }

  #printLine(always: boolean): boolean {
    if (this.#line.length === 0 && !always) return true
    const segments: PrintedSegment[] = this.#line.map((p) => ({
      text: p.chinese ? this.#text.decode(p.bytes) : String.fromCharCode(...p.bytes),
      bold: p.style.bold,
      underline: p.style.underline,
      width: p.style.width,
      height: p.style.height,
    }))
    const align = this.#line[0]?.style.align ?? this.#style.align
    const lines = wrapSegments(segments, this.profile.dotsPerLine)
    const dots = lines.reduce((sum, l) => sum + lineHeightDots(l, this.profile.lineSpacingDots), 0)
    if (!this.#takePaper(dots)) return false
    for (const l of lines) this.printed.push({ kind: 'text', align, segments: l })
    this.counters.lines += lines.length
    this.#line = []
    return true
  }

  #barcodeItem(symbology: ReceiptBarcodeSymbology | 'unknown', data: Uint8Array): boolean {
    const text = String.fromCharCode(...data).replace(/^\{[ABC]/, '')
    const hriLines = this.#barcode.hri === 3 ? 2 : this.#barcode.hri === 0 ? 0 : 1
    const item: PrintedItem = {
      kind: 'barcode',
      align: this.#style.align,
      symbology,
      data: text,
      heightDots: this.#barcode.height,
      moduleWidth: this.#barcode.width,
      hri: this.#barcode.hri,
    }
    return this.#emit(item, this.#barcode.height + hriLines * this.profile.lineSpacingDots)
  }

  #qrItem(): boolean {
    const data = new TextDecoder().decode(this.#qr.data)
    if (data.length === 0) return true
    let modules: number
    try {
      modules = QRCode.create(data, { errorCorrectionLevel: this.#qr.level }).modules.size
    } catch (err) {
      this.#log.warn({ err }, 'qr data cannot be encoded; nothing printed')
      return true
    }
    const item: PrintedItem = {
      kind: 'qr',
      align: this.#style.align,
      data,
      moduleSize: this.#qr.size,
      errorCorrection: this.#qr.level,
    }
    return this.#emit(item, modules * this.#qr.size)
  }

  #cut(partial: boolean): boolean {
    if (!this.#printLine(false)) return false
    if (this.#jamNextCut) {
      this.#jamNextCut = false
      this.#cutterError = true
      this.#statusChanged()
      return false
    }
    this.printed.push({ kind: 'cut', partial })
    this.counters.cuts++
    return true
  }

  #advance(dots: number): boolean {
    if (dots === 0) return true
    return this.#emit({ kind: 'feed', dots }, dots)
  }

  #emit(item: PrintedItem, dots: number): boolean {
    if (!this.#printLine(false) || !this.#takePaper(dots)) return false
    this.printed.push(item)
    return true
  }

  #takePaper(dots: number): boolean {
    const ok = this.paper.take(dots / this.profile.dotsPerMm)
    if (this.paper.end) this.#log.info({ printed: ok }, 'paper out')
    // a roll used up exactly is as empty as one that ran short; ASB is sent only when bits change
    this.#statusChanged()
    return ok
  }

  #statusChanged(): void {
    if (this.#asbMask === 0 || this.unresponsive) return
    const asb = encodeAsb(this.status)
    const key = asb.join(',')
    if (key === this.#lastAsb) return
    this.#lastAsb = key
    this.#send(asb)
  }

  #send(bytes: number[]): void {
    if (!this.#transport.isOpen) return
    this.#log.trace({ dir: 'out', hex: Buffer.from(bytes).toString('hex') }, 'bytes')
    this.#transport.write(Uint8Array.from(bytes)).catch((err: unknown) => this.#log.warn({ err }, 'write failed'))
  }
}

function isPrinting(command: EscPosCommand): boolean {
  return ['lineFeed', 'feedLines', 'feedDots', 'cut', 'barcode', 'qrPrint', 'raster'].includes(command.type)
}

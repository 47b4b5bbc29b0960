import type { BarcodeSymbology, Transport } from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  aimIdFor,
  encodeMenuReply,
  encodeSerialScan,
  GM65_TRIGGER,
  HONEYWELL_MENU_PREFIX,
  HONEYWELL_TRIGGER_START,
  HONEYWELL_TRIGGER_STOP,
  MENU_SAVE,
  MENU_VOLATILE,
  type MenuStatus,
} from '../codec/index.ts'

export interface SerialScannerEmulatorOptions {
  transport: Transport
  prefix?: Uint8Array
  /** Default CR. */
  suffix?: Uint8Array
  /** Send the AIM identifier before the data. */
  aimIdPrefix?: boolean
  /** Manual-trigger model: queued scans go out only when the host sends a trigger command. */
  manualTrigger?: boolean
  /** Cut every scan into chunks of this many bytes (each its own write), as a slow UART would. */
  chunkSize?: number
  logger?: Logger
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => indexOf(haystack, needle) >= 0

/**
 * A serial scanner (§3.3) on any Transport (memory pair, or serialport on a socat pty): sends each
 * scan as `[prefix][AIM][UTF-8 data][suffix]`; in manual-trigger mode it answers Honeywell
 * `SYN T CR` / GM65 trigger commands by sending the next queued scan.
 */
export class SerialScannerEmulator {
  readonly received: Uint8Array[] = []
  triggers = 0
  /** Honeywell menu settings (saved and volatile alike), e.g. `BEPLVL` → `3`. */
  readonly settings = new Map<string, string>([
    ['BEPBEP', '1'],
    ['BEPLVL', '3'],
  ])
  readonly #transport: Transport
  #menu: number[] | undefined
  readonly #options: SerialScannerEmulatorOptions
  readonly #queue: { text: string; symbology: BarcodeSymbology }[] = []
  readonly #log: Logger
  #pending = new Uint8Array(0)
  #off: (() => void) | undefined

  constructor(options: SerialScannerEmulatorOptions) {
    if (options.chunkSize !== undefined && !(Number.isInteger(options.chunkSize) && options.chunkSize > 0)) {
      throw new TypeError('SerialScannerEmulatorOptions.chunkSize must be a positive integer')
    }
    this.#transport = options.transport
    this.#options = options
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ emulator: 'scanner-serial' })
  }

  async start(): Promise<void> {
    if (!this.#transport.isOpen) await this.#transport.open()
    this.#off = this.#transport.onData((chunk) => this.#onData(chunk))
  }

  async stop(): Promise<void> {
    this.#off?.()
    await this.#transport.close()
  }

  /** Sends a scan now (auto-sense models), or queues it for the next trigger (manual-trigger models). */
  async scan(text: string, symbology: BarcodeSymbology = 'qrCode'): Promise<void> {
    if (this.#options.manualTrigger) {
      this.#queue.push({ text, symbology })
      return
    }
    await this.#send(text, symbology)
  }

  /** Raw bytes on the wire (garbage, half frames). */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    await this.#write(bytes)
  }

  frameFor(text: string, symbology: BarcodeSymbology = 'qrCode'): Uint8Array {
    const options: { prefix?: Uint8Array; suffix?: Uint8Array; aimId?: string } = {}
    if (this.#options.prefix) options.prefix = this.#options.prefix
    if (this.#options.suffix) options.suffix = this.#options.suffix
    if (this.#options.aimIdPrefix) options.aimId = aimIdFor(symbology)
    return encodeSerialScan(new TextEncoder().encode(text), options)
  }

  async #send(text: string, symbology: BarcodeSymbology): Promise<void> {
    const frame = this.frameFor(text, symbology)
    this.#log.debug({ len: frame.length }, 'scan sent')
    await this.#write(frame)
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const size = this.#options.chunkSize ?? bytes.length
    for (let at = 0; at < bytes.length; at += size) await this.#transport.write(bytes.subarray(at, at + size))
  }

  /** Menu commands: known tags with a one-digit value in range are taken (ACK), others ENQ / NAK. */
  #menuCommand(bytes: number[]): void {
    const terminator = bytes.at(-1) ?? MENU_SAVE
    const text = Buffer.from(bytes.slice(0, -1)).toString('latin1')
    const ranges: Record<string, RegExp> = { BEPBEP: /^[01]$/, BEPLVL: /^[0-3]$/ }
    const results = text.split(';').map((command): { command: string; status: MenuStatus } => {
      const tag = command.slice(0, 6)
      const range = ranges[tag]
      if (range === undefined) return { command, status: 'enq' }
      if (!range.test(command.slice(6))) return { command, status: 'nak' }
      this.settings.set(tag, command.slice(6))
      return { command, status: 'ack' }
    })
    this.#write(encodeMenuReply(results, terminator === MENU_SAVE)).catch((err: unknown) =>
      this.#log.warn({ err }, 'send failed'),
    )
  }

  #onData(input: Uint8Array): void {
    let chunk = input
    if (this.#menu === undefined) {
      const at = indexOf(chunk, HONEYWELL_MENU_PREFIX)
      if (at >= 0) {
        this.#menu = []
        chunk = chunk.subarray(at + HONEYWELL_MENU_PREFIX.length)
      }
    }
    if (this.#menu !== undefined) {
      const end = chunk.findIndex((b) => b === MENU_SAVE || b === MENU_VOLATILE)
      this.#menu.push(...chunk.subarray(0, end < 0 ? chunk.length : end + 1))
      if (end < 0) return
      const command = this.#menu
      this.#menu = undefined
      this.#menuCommand(command)
      return
    }
    this.received.push(chunk)
    const joined = new Uint8Array(this.#pending.length + chunk.length)
    joined.set(this.#pending)
    joined.set(chunk, this.#pending.length)
    this.#pending = joined.slice(-16)
    if (contains(joined, HONEYWELL_TRIGGER_START) || contains(joined, GM65_TRIGGER)) {
      this.#pending = new Uint8Array(0)
      this.triggers++
      const next = this.#queue.shift()
      if (next) this.#send(next.text, next.symbology).catch((err: unknown) => this.#log.warn({ err }, 'send failed'))
    } else if (contains(joined, HONEYWELL_TRIGGER_STOP)) {
      this.#pending = new Uint8Array(0)
    }
  }
}

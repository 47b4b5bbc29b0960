import type { ReceiptAlign, ReceiptBarcodeSymbology } from '@drivers/core'
import type { EscPosCommand } from './commands.ts'
import { DLE, DLE_DC4_CLEAR_BUFFERS, ESC, FS, GS, LF } from './constants.ts'
import { barcodeTypeCodes } from './encode-elements.ts'
import type { DecodeEvent, FrameDecoder } from './status-decoder.ts'

type Step =
  | { kind: 'need' }
  | { kind: 'command'; command: EscPosCommand; length: number }
  | { kind: 'discard'; length: number; reason: 'garbage' | 'unknown' | 'overflow' }

const NEED: Step = { kind: 'need' }
const aligns: ReceiptAlign[] = ['left', 'center', 'right']
const symbologyByCode = new Map<number, ReceiptBarcodeSymbology>(
  Object.entries(barcodeTypeCodes).map(([name, code]) => [code, name as ReceiptBarcodeSymbology]),
)
const formatA: ReceiptBarcodeSymbology[] = ['upcA', 'upcE', 'ean13', 'ean8', 'code39', 'itf', 'codabar']
const eccLevels = ['L', 'M', 'Q', 'H'] as const

/** Fixed-length ESC x / GS x / FS x commands: total length and how to read them. */
type Simple = { length: number; read: (b: Uint8Array, i: number) => EscPosCommand }
const at = (b: Uint8Array, i: number): number => b[i] ?? 0

const escCommands: Record<number, Simple> = {
  64: { length: 2, read: () => ({ type: 'init' }) },
  97: { length: 3, read: (b, i) => ({ type: 'align', align: aligns[at(b, i + 2) % 48] ?? 'left' }) },
  69: { length: 3, read: (b, i) => ({ type: 'bold', on: (at(b, i + 2) & 1) === 1 }) },
  45: { length: 3, read: (b, i) => ({ type: 'underline', dots: at(b, i + 2) % 48 }) },
  33: { length: 3, read: (b, i) => ({ type: 'printMode', mode: at(b, i + 2) }) },
  77: { length: 3, read: (b, i) => ({ type: 'font', font: at(b, i + 2) % 48 }) },
  116: { length: 3, read: (b, i) => ({ type: 'codeTable', table: at(b, i + 2) }) },
  100: { length: 3, read: (b, i) => ({ type: 'feedLines', lines: at(b, i + 2) }) },
  74: { length: 3, read: (b, i) => ({ type: 'feedDots', dots: at(b, i + 2) }) },
  50: { length: 2, read: () => ({ type: 'lineSpacing', dots: undefined }) },
  51: { length: 3, read: (b, i) => ({ type: 'lineSpacing', dots: at(b, i + 2) }) },
  112: { length: 5, read: (b, i) => ({ type: 'drawerPulse', pin: at(b, i + 2) }) },
}
const fsCommands: Record<number, Simple> = {
  38: { length: 2, read: () => ({ type: 'chineseMode', on: true }) },
  46: { length: 2, read: () => ({ type: 'chineseMode', on: false }) },
  33: { length: 3, read: (b, i) => ({ type: 'chinesePrintMode', mode: at(b, i + 2) }) },
  67: { length: 3, read: (b, i) => ({ type: 'codeSystem', system: at(b, i + 2) }) },
}
const gsCommands: Record<number, Simple> = {
  33: {
    length: 3,
    read: (b, i) => ({ type: 'charSize', width: (at(b, i + 2) >> 4) + 1, height: (at(b, i + 2) & 0x0f) + 1 }),
  },
  66: { length: 3, read: (b, i) => ({ type: 'reverse', on: (at(b, i + 2) & 1) === 1 }) },
  104: { length: 3, read: (b, i) => ({ type: 'barcodeHeight', dots: at(b, i + 2) }) },
  119: { length: 3, read: (b, i) => ({ type: 'barcodeWidth', dots: at(b, i + 2) }) },
  72: { length: 3, read: (b, i) => ({ type: 'barcodeHri', position: at(b, i + 2) % 48 }) },
  102: { length: 3, read: (b, i) => ({ type: 'barcodeHriFont', font: at(b, i + 2) }) },
  97: { length: 3, read: (b, i) => ({ type: 'asbEnable', mask: at(b, i + 2) }) },
  114: { length: 3, read: (b, i) => ({ type: 'transmitStatus', n: at(b, i + 2) % 48 }) },
  73: { length: 3, read: (b, i) => ({ type: 'printerInfo', n: at(b, i + 2) }) },
}

export interface CommandDecoderOptions {
  /** Largest command accepted (raster images, QR data); bigger ones are discarded as overflow. */
  maxCommandBytes?: number
}

/**
 * Device-side incremental decoder of host → printer bytes (the emulator's ear; tests use it to read
 * the encoder's output). Commands split across chunks wait for their remaining bytes; unknown
 * commands and stray control bytes are reported as discarded, never thrown.
 */
export class CommandDecoder implements FrameDecoder<EscPosCommand> {
  #pending = new Uint8Array(0)
  readonly #max: number

  constructor(options: CommandDecoderOptions = {}) {
    this.#max = options.maxCommandBytes ?? 1 << 20
  }

  push(chunk: Uint8Array): DecodeEvent<EscPosCommand>[] {
    const buf = new Uint8Array(this.#pending.length + chunk.length)
    buf.set(this.#pending)
    buf.set(chunk, this.#pending.length)
    const events: DecodeEvent<EscPosCommand>[] = []
    let i = 0
    while (i < buf.length) {
      const step = this.#step(buf, i)
      if (step.kind === 'need') break
      if (step.kind === 'command') events.push({ kind: 'frame', frame: step.command })
      else events.push({ kind: 'discarded', bytes: buf.slice(i, i + step.length), reason: step.reason })
      i += step.length
    }
    this.#pending = buf.slice(i)
    return events
  }

  reset(): void {
    this.#pending = new Uint8Array(0)
  }

  #step(b: Uint8Array, i: number): Step {
    const first = at(b, i)
    if (first === LF) return { kind: 'command', command: { type: 'lineFeed' }, length: 1 }
    if (first === 0x0d) return { kind: 'discard', length: 1, reason: 'unknown' }
    if (first >= 0x20) {
      let end = i
      while (end < b.length && at(b, end) >= 0x20) end++
      return { kind: 'command', command: { type: 'text', bytes: b.slice(i, end) }, length: end - i }
    }
    if (i + 1 >= b.length && (first === ESC || first === GS || first === FS || first === DLE)) return NEED
    const second = at(b, i + 1)
    switch (first) {
      case ESC:
        return this.#simple(escCommands[second], b, i)
      case FS:
        return this.#simple(fsCommands[second], b, i)
      case GS:
        return this.#gs(b, i, second)
      case DLE:
        return this.#dle(b, i, second)
      default:
        return { kind: 'discard', length: 1, reason: 'garbage' }
    }
  }

  #simple(spec: Simple | undefined, b: Uint8Array, i: number): Step {
    if (spec === undefined) return { kind: 'discard', length: 2, reason: 'unknown' }
    if (i + spec.length > b.length) return NEED
    return { kind: 'command', command: spec.read(b, i), length: spec.length }
  }

  #gs(b: Uint8Array, i: number, second: number): Step {
    if (second === 0x56) {
      if (i + 3 > b.length) return NEED
      const m = at(b, i + 2)
      if (m === 0 || m === 1 || m === 0x30 || m === 0x31) {
        return { kind: 'command', command: { type: 'cut', partial: (m & 1) === 1, feedDots: 0 }, length: 3 }
      }
      if (i + 4 > b.length) return NEED
      return { kind: 'command', command: { type: 'cut', partial: (m & 1) === 0, feedDots: at(b, i + 3) }, length: 4 }
    }
    if (second === 0x6b) return this.#barcode(b, i)
    if (second === 0x28) return this.#twoD(b, i)
    if (second === 0x76) return this.#raster(b, i)
    return this.#simple(gsCommands[second], b, i)
  }

  #barcode(b: Uint8Array, i: number): Step {
    if (i + 3 > b.length) return NEED
    const m = at(b, i + 2)
    if (m <= 6) {
      const end = b.indexOf(0, i + 3)
      if (end < 0) return b.length - i > 256 ? { kind: 'discard', length: 3, reason: 'garbage' } : NEED
      const data = b.slice(i + 3, end)
      const symbology = formatA[m] ?? 'unknown'
      return { kind: 'command', command: { type: 'barcode', symbology, code: m, data }, length: end + 1 - i }
    }
    if (i + 4 > b.length) return NEED
    const n = at(b, i + 3)
    if (i + 4 + n > b.length) return NEED
    const symbology = symbologyByCode.get(m) ?? 'unknown'
    const data = b.slice(i + 4, i + 4 + n)
    return { kind: 'command', command: { type: 'barcode', symbology, code: m, data }, length: 4 + n }
  }

  /** GS ( k pL pH cn fn …: QR functions (cn 0x31); GS ( E user settings; other GS ( x are skipped by length. */
  #twoD(b: Uint8Array, i: number): Step {
    if (i + 5 > b.length) return NEED
    const size = at(b, i + 3) | (at(b, i + 4) << 8)
    const length = 5 + size
    if (length > this.#max) return { kind: 'discard', length: 5, reason: 'overflow' }
    if (i + length > b.length) return NEED
    if (at(b, i + 2) === 0x45 && size >= 1) {
      const command: EscPosCommand = { type: 'userSetting', fn: at(b, i + 5), data: b.slice(i + 6, i + length) }
      return { kind: 'command', command, length }
    }
    if (at(b, i + 2) !== 0x6b || at(b, i + 5) !== 0x31 || size < 2)
      return { kind: 'discard', length, reason: 'unknown' }
    const fn = at(b, i + 6)
    const p = at(b, i + 7)
    const command = ((): EscPosCommand | undefined => {
      switch (fn) {
        case 0x41:
          return { type: 'qrModel', model: p - 0x30 }
        case 0x43:
          return { type: 'qrModuleSize', size: p }
        case 0x45: {
          const level = eccLevels[p - 0x30]
          return level === undefined ? undefined : { type: 'qrErrorCorrection', level }
        }
        case 0x50:
          return { type: 'qrStore', data: b.slice(i + 8, i + length) }
        case 0x51:
          return { type: 'qrPrint' }
        default:
          return undefined
      }
    })()
    return command === undefined ? { kind: 'discard', length, reason: 'unknown' } : { kind: 'command', command, length }
  }

  #raster(b: Uint8Array, i: number): Step {
    if (i + 8 > b.length) return NEED
    if (at(b, i + 2) !== 0x30) return { kind: 'discard', length: 3, reason: 'unknown' }
    const widthBytes = at(b, i + 4) | (at(b, i + 5) << 8)
    const height = at(b, i + 6) | (at(b, i + 7) << 8)
    const length = 8 + widthBytes * height
    if (length > this.#max) return { kind: 'discard', length: 8, reason: 'overflow' }
    if (i + length > b.length) return NEED
    const bits = b.slice(i + 8, i + length)
    return { kind: 'command', command: { type: 'raster', widthBytes, height, mode: at(b, i + 3), bits }, length }
  }

  #dle(b: Uint8Array, i: number, second: number): Step {
    if (second === 0x04 || second === 0x05) {
      if (i + 3 > b.length) return NEED
      const n = at(b, i + 2)
      const command: EscPosCommand = second === 0x04 ? { type: 'realtimeStatus', n } : { type: 'realtimeRequest', n }
      return { kind: 'command', command, length: 3 }
    }
    if (second === 0x14) {
      const expected = DLE_DC4_CLEAR_BUFFERS
      if (i + expected.length > b.length) {
        const partial = b.slice(i, b.length)
        return partial.every((v, k) => v === expected[k]) ? NEED : { kind: 'discard', length: 2, reason: 'unknown' }
      }
      for (let k = 0; k < expected.length; k++) {
        if (at(b, i + k) !== expected[k]) return { kind: 'discard', length: 2, reason: 'unknown' }
      }
      return { kind: 'command', command: { type: 'clearBuffers' }, length: expected.length }
    }
    return { kind: 'discard', length: 1, reason: 'garbage' }
  }
}

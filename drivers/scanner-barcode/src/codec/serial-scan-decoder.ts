import type { ScanDecodeEvent, ScanDecoder } from './decode-event.ts'
import { isAimId } from './symbology.ts'

export interface SerialScanDecoderOptions {
  /** Bytes that end a scan (CR by default; LF, CR LF or Tab on other models). Empty: idle-timeout framing. */
  suffix?: Uint8Array
  /** Bytes the scanner sends before each scan; data before a prefix is garbage. */
  prefix?: Uint8Array
  /** The scan starts with a 3-character AIM identifier (`]Q1`). */
  aimIdPrefix?: boolean
  /** Longest scan in bytes. Default 8192. */
  maxScanBytes?: number
}

const CR = Uint8Array.of(0x0d)

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** Control bytes no scanned text carries (NUL…BS, VT…US except ESC/GS/RS used by GS1 and ISO 15434). */
function hasControlGarbage(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b && b !== 0x1d && b !== 0x1e && b !== 0x04) {
      return true
    }
  }
  return false
}

function findAimId(bytes: Uint8Array): number {
  for (let i = 0; i + 3 <= bytes.length; i++) {
    if (bytes[i] === 0x5d && isAimId(String.fromCharCode(bytes[i]!, bytes[i + 1]!, bytes[i + 2]!))) return i
  }
  return -1
}

/**
 * Serial scanner framing (§3.3): `[prefix][AIM id][data][suffix]`, chunk boundaries meaning
 * nothing. With a prefix, bytes before it are garbage; a frame holding control bytes a barcode
 * cannot carry is garbage; a frame past `maxScanBytes` is an overflow. Text decoding is the
 * driver's (the encoding is a per-model setting).
 */
export class SerialScanDecoder implements ScanDecoder {
  readonly #suffix: Uint8Array
  readonly #prefix: Uint8Array
  readonly #aim: boolean
  readonly #max: number
  #buffer = new Uint8Array(0)
  #skipping = false

  constructor(options: SerialScanDecoderOptions = {}) {
    this.#suffix = options.suffix ?? CR
    this.#prefix = options.prefix ?? new Uint8Array(0)
    this.#aim = options.aimIdPrefix ?? false
    this.#max = options.maxScanBytes ?? 8192
    if (!Number.isInteger(this.#max) || this.#max < 1)
      throw new TypeError('SerialScanDecoderOptions.maxScanBytes must be positive')
  }

  push(chunk: Uint8Array): ScanDecodeEvent[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length)
    joined.set(this.#buffer)
    joined.set(chunk, this.#buffer.length)
    this.#buffer = joined
    const events: ScanDecodeEvent[] = []
    if (this.#suffix.length === 0) return this.#checkOverflow(events)
    for (;;) {
      const end = indexOf(this.#buffer, this.#suffix)
      if (end < 0) break
      const frame = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + this.#suffix.length)
      if (this.#skipping) {
        this.#skipping = false
        events.push({ kind: 'discarded', bytes: frame, reason: 'overflow' })
        continue
      }
      events.push(...this.#frame(frame))
    }
    return this.#checkOverflow(events)
  }

  flush(): ScanDecodeEvent[] {
    const frame = this.#buffer
    this.#buffer = new Uint8Array(0)
    if (this.#skipping) {
      this.#skipping = false
      return frame.length ? [{ kind: 'discarded', bytes: frame, reason: 'overflow' }] : []
    }
    return frame.length ? this.#frame(frame) : []
  }

  reset(): ScanDecodeEvent[] {
    const frame = this.#buffer
    this.#buffer = new Uint8Array(0)
    this.#skipping = false
    return frame.length ? [{ kind: 'discarded', bytes: frame, reason: 'garbage' }] : []
  }

  get pendingBytes(): number {
    return this.#buffer.length
  }

  #checkOverflow(events: ScanDecodeEvent[]): ScanDecodeEvent[] {
    if (this.#buffer.length > this.#max + this.#prefix.length + (this.#aim ? 3 : 0)) {
      events.push({ kind: 'discarded', bytes: this.#buffer, reason: 'overflow' })
      this.#buffer = new Uint8Array(0)
      this.#skipping = this.#suffix.length > 0
    }
    return events
  }

  #frame(frame: Uint8Array): ScanDecodeEvent[] {
    const events: ScanDecodeEvent[] = []
    let data = frame
    if (this.#prefix.length > 0) {
      const at = indexOf(frame, this.#prefix)
      if (at < 0) return [{ kind: 'discarded', bytes: frame, reason: 'garbage' }]
      if (at > 0) events.push({ kind: 'discarded', bytes: frame.slice(0, at), reason: 'garbage' })
      data = frame.slice(at + this.#prefix.length)
    }
    let aimId: string | undefined
    if (this.#aim) {
      // Resync on the AIM identifier: noise before it (no suffix of its own) is garbage.
      const at = findAimId(data)
      if (at < 0) return [...events, { kind: 'discarded', bytes: frame, reason: 'garbage' }]
      if (at > 0) events.push({ kind: 'discarded', bytes: data.slice(0, at), reason: 'garbage' })
      aimId = String.fromCharCode(...data.subarray(at, at + 3))
      data = data.slice(at + 3)
    }
    if (data.length === 0 || hasControlGarbage(data)) {
      return [...events, { kind: 'discarded', bytes: frame, reason: 'garbage' }]
    }
    events.push(aimId === undefined ? { kind: 'scan', bytes: data } : { kind: 'scan', bytes: data, aimId })
    return events
  }
}

/** The mirror for emulators: one scan as the scanner sends it. */
export function encodeSerialScan(
  data: Uint8Array,
  options: { prefix?: Uint8Array; suffix?: Uint8Array; aimId?: string } = {},
): Uint8Array {
  if (options.aimId !== undefined && !isAimId(options.aimId)) throw new TypeError('aimId must look like "]Q1"')
  const aim = options.aimId === undefined ? new Uint8Array(0) : Uint8Array.from(options.aimId, (c) => c.charCodeAt(0))
  const prefix = options.prefix ?? new Uint8Array(0)
  const suffix = options.suffix ?? CR
  const out = new Uint8Array(prefix.length + aim.length + data.length + suffix.length)
  out.set(prefix)
  out.set(aim, prefix.length)
  out.set(data, prefix.length + aim.length)
  out.set(suffix, prefix.length + aim.length + data.length)
  return out
}

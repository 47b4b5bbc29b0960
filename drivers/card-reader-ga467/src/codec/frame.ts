import { xorChecksum } from './checksum.ts'
import { DEFAULT_MAX_LENGTH, HEADER_SIZE, MIN_LENGTH, PREAMBLE } from './constants.ts'

/**
 * Frame layer of §1.2, both directions: `AA AA AA 96 69 | Len1 Len2 | body | CHK`.
 * Len is big-endian and counts body + CHK; CHK is the XOR of Len1, Len2 and the body.
 */

/** What the decoder yields: a frame's body (CMD.. or SW1..), or bytes it threw away and why. */
export type DecodeEvent =
  | { kind: 'frame'; body: Uint8Array }
  | { kind: 'discarded'; bytes: Uint8Array; reason: 'checksum' | 'garbage' | 'overflow' }

export function encodeFrame(body: Uint8Array): Uint8Array {
  const length = body.length + 1
  if (length > 0xffff) throw new TypeError(`encodeFrame: body of ${body.length} bytes does not fit a 16-bit length`)
  const frame = new Uint8Array(HEADER_SIZE + length)
  frame.set(PREAMBLE, 0)
  frame[5] = length >> 8
  frame[6] = length & 0xff
  frame.set(body, HEADER_SIZE)
  frame[frame.length - 1] = xorChecksum(frame, 5, frame.length - 1)
  return frame
}

export interface FrameDecoderOptions {
  /** Largest Len accepted; longer claims are discarded as `overflow`. */
  maxLength?: number
}

const AA = 0xaa
const SYNC_1 = 0x96
const SYNC_2 = 0x69

/**
 * Incremental frame decoder (mqtt-packet style): feed chunks in arrival order, get frames and
 * discards back. Resynchronises on `AA 96 69`, the last three preamble bytes, so a preamble with a
 * lost or mangled leading byte (the `AA 00 AA AA 96 69` sample of §1.2) still syncs; the checksum
 * guards against false starts. Never throws on wire bytes. Idle timeouts belong to the caller,
 * which calls `reset()` when a partial frame goes stale.
 */
export class FrameDecoder {
  readonly #maxLength: number
  #buffer: Uint8Array = new Uint8Array(0)

  constructor(options: FrameDecoderOptions = {}) {
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
    if (!Number.isInteger(maxLength) || maxLength < MIN_LENGTH || maxLength > 0xffff) {
      throw new TypeError(`FrameDecoderOptions.maxLength must be an integer in ${MIN_LENGTH}..65535, got ${maxLength}`)
    }
    this.#maxLength = maxLength
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.#buffer.length
  }

  reset(): Uint8Array {
    const dropped = this.#buffer
    this.#buffer = new Uint8Array(0)
    return dropped
  }

  push(chunk: Uint8Array): DecodeEvent[] {
    this.#buffer = concat(this.#buffer, chunk)
    const events: DecodeEvent[] = []
    const buf = this.#buffer
    let pos = 0
    for (;;) {
      const marker = findMarker(buf, pos)
      if (marker < 0) {
        const keep = syncPrefixStart(buf, pos)
        if (keep > pos) events.push({ kind: 'discarded', bytes: buf.slice(pos, keep), reason: 'garbage' })
        pos = keep
        break
      }
      const start = preambleStart(buf, pos, marker)
      if (start > pos) events.push({ kind: 'discarded', bytes: buf.slice(pos, start), reason: 'garbage' })
      pos = start
      if (buf.length < marker + 5) break
      const length = (buf[marker + 3]! << 8) | buf[marker + 4]!
      if (length < MIN_LENGTH || length > this.#maxLength) {
        const reason = length > this.#maxLength ? 'overflow' : 'garbage'
        events.push({ kind: 'discarded', bytes: buf.slice(start, marker + 5), reason })
        pos = marker + 5
        continue
      }
      const end = marker + 5 + length
      if (buf.length < end) break
      const checksum = xorChecksum(buf, marker + 3, end - 1)
      if (checksum !== buf[end - 1]) {
        events.push({ kind: 'discarded', bytes: buf.slice(start, end), reason: 'checksum' })
      } else {
        events.push({ kind: 'frame', body: buf.slice(marker + 5, end - 1) })
      }
      pos = end
    }
    this.#buffer = buf.slice(pos)
    return events
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return Uint8Array.from(b)
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** Index of the `AA` of the next `AA 96 69` at or after `from`, or -1. */
function findMarker(buf: Uint8Array, from: number): number {
  for (let i = from; i + 2 < buf.length; i++) {
    if (buf[i] === AA && buf[i + 1] === SYNC_1 && buf[i + 2] === SYNC_2) return i
  }
  return -1
}

/** The preamble owns up to two more `AA` bytes right before the marker. */
function preambleStart(buf: Uint8Array, from: number, marker: number): number {
  let start = marker
  while (start > from && marker - start < 2 && buf[start - 1] === AA) start--
  return start
}

/** Without a marker, keep a tail that could still become one (`AA…`, `AA…96`); the rest is garbage. */
function syncPrefixStart(buf: Uint8Array, from: number): number {
  let end = buf.length
  if (end > from && buf[end - 1] === SYNC_1 && end - 2 >= from && buf[end - 2] === AA) end -= 1
  else if (!(end > from && buf[end - 1] === AA)) return end
  let start = end
  while (start > from && end - start < 3 && buf[start - 1] === AA) start--
  return start
}

import { isAsbFirstByte, isRealtimeReply } from './status.ts'

/** What a printer sends back: real-time replies, ASB packets, GS r replies. */
export type StatusFrame =
  | { type: 'realtime'; byte: number }
  | { type: 'asb'; bytes: [number, number, number, number] }
  | { type: 'transmitStatus'; byte: number }
  /** A reply block `header … 00`: GS ( E replies (0x37) and GS I printer information (0x5F). */
  | { type: 'block'; header: number; data: Uint8Array }

export type DecodeEvent<F> =
  | { kind: 'frame'; frame: F }
  | { kind: 'discarded'; bytes: Uint8Array; reason: 'checksum' | 'garbage' | 'overflow' | 'unknown' }

export interface FrameDecoder<F> {
  push(chunk: Uint8Array): DecodeEvent<F>[]
  reset(): void
}

/** Reply block headers: 0x37 (GS ( E), 0x5F (GS I n ≥ 0x40); their fixed bits are no status byte's. */
const BLOCK_HEADERS = [0x37, 0x5f]
const MAX_BLOCK = 256

/**
 * Host-side decoder of printer → host bytes. The fixed bits tell the three kinds apart
 * (status.ts); an ASB packet is 4 bytes whose bytes 2–4 have bits 4 and 7 clear. Anything else is
 * reported as garbage and the decoder resynchronises on the next byte.
 */
export class StatusDecoder implements FrameDecoder<StatusFrame> {
  #asb: number[] = []
  #block: number[] | undefined

  push(chunk: Uint8Array): DecodeEvent<StatusFrame>[] {
    const events: DecodeEvent<StatusFrame>[] = []
    for (const byte of chunk) {
      if (this.#block !== undefined) {
        if (byte === 0) {
          const [header = 0, ...data] = this.#block
          events.push({ kind: 'frame', frame: { type: 'block', header, data: Uint8Array.from(data) } })
          this.#block = undefined
        } else if (this.#block.length >= MAX_BLOCK) {
          events.push({ kind: 'discarded', bytes: Uint8Array.from([...this.#block, byte]), reason: 'overflow' })
          this.#block = undefined
        } else this.#block.push(byte)
        continue
      }
      if (this.#asb.length > 0) {
        if ((byte & 0x90) === 0) {
          this.#asb.push(byte)
          if (this.#asb.length === 4) {
            const [a = 0, b = 0, c = 0, d = 0] = this.#asb
            events.push({ kind: 'frame', frame: { type: 'asb', bytes: [a, b, c, d] } })
            this.#asb = []
          }
          continue
        }
        events.push({ kind: 'discarded', bytes: Uint8Array.from(this.#asb), reason: 'garbage' })
        this.#asb = []
      }
      if (this.#asb.length === 0 && BLOCK_HEADERS.includes(byte)) this.#block = [byte]
      else if (isRealtimeReply(byte)) events.push({ kind: 'frame', frame: { type: 'realtime', byte } })
      else if (isAsbFirstByte(byte)) this.#asb = [byte]
      else if ((byte & 0x90) === 0) events.push({ kind: 'frame', frame: { type: 'transmitStatus', byte } })
      else events.push({ kind: 'discarded', bytes: Uint8Array.of(byte), reason: 'garbage' })
    }
    return events
  }

  reset(): void {
    this.#asb = []
    this.#block = undefined
  }
}

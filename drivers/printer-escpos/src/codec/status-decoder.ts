import { isAsbFirstByte, isRealtimeReply } from './status.ts'

/** What a printer sends back: real-time replies, ASB packets, GS r replies. */
export type StatusFrame =
  | { type: 'realtime'; byte: number }
  | { type: 'asb'; bytes: [number, number, number, number] }
  | { type: 'transmitStatus'; byte: number }

export type DecodeEvent<F> =
  | { kind: 'frame'; frame: F }
  | { kind: 'discarded'; bytes: Uint8Array; reason: 'checksum' | 'garbage' | 'overflow' | 'unknown' }

export interface FrameDecoder<F> {
  push(chunk: Uint8Array): DecodeEvent<F>[]
  reset(): void
}

/**
 * Host-side decoder of printer → host bytes. The fixed bits tell the three kinds apart
 * (status.ts); an ASB packet is 4 bytes whose bytes 2–4 have bits 4 and 7 clear. Anything else is
 * reported as garbage and the decoder resynchronises on the next byte.
 */
export class StatusDecoder implements FrameDecoder<StatusFrame> {
  #asb: number[] = []

  push(chunk: Uint8Array): DecodeEvent<StatusFrame>[] {
    const events: DecodeEvent<StatusFrame>[] = []
    for (const byte of chunk) {
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
      if (isRealtimeReply(byte)) events.push({ kind: 'frame', frame: { type: 'realtime', byte } })
      else if (isAsbFirstByte(byte)) this.#asb = [byte]
      else if ((byte & 0x90) === 0) events.push({ kind: 'frame', frame: { type: 'transmitStatus', byte } })
      else events.push({ kind: 'discarded', bytes: Uint8Array.of(byte), reason: 'garbage' })
    }
    return events
  }

  reset(): void {
    this.#asb = []
  }
}

/**
 * The vpcd socket protocol (frankmorgner/vsmartcard `virtualsmartcard/src/vpcd/vpcd.h`, §6): the
 * card side connects to the reader's TCP port; every message is a big-endian uint16 length and a
 * payload. A 1-byte payload is a control code; only GET ATR is answered (with the ATR). Anything
 * else is a C-APDU, answered with the R-APDU.
 */
export const VPCD_DEFAULT_PORT = 35963
export const VPCD_CTRL = { powerOff: 0x00, powerOn: 0x01, reset: 0x02, getAtr: 0x04 } as const

export type VpcdMessage =
  | { kind: 'powerOff' }
  | { kind: 'powerOn' }
  | { kind: 'reset' }
  | { kind: 'getAtr' }
  | { kind: 'apdu'; apdu: Uint8Array }
  | { kind: 'unknownControl'; code: number }

export function encodeVpcdMessage(payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new TypeError('vpcd payload must be at most 65535 bytes')
  const out = new Uint8Array(2 + payload.length)
  out[0] = payload.length >> 8
  out[1] = payload.length & 0xff
  out.set(payload, 2)
  return out
}

export function classifyVpcdPayload(payload: Uint8Array): VpcdMessage {
  if (payload.length !== 1) return { kind: 'apdu', apdu: payload }
  const code = payload[0]!
  if (code === VPCD_CTRL.powerOff) return { kind: 'powerOff' }
  if (code === VPCD_CTRL.powerOn) return { kind: 'powerOn' }
  if (code === VPCD_CTRL.reset) return { kind: 'reset' }
  if (code === VPCD_CTRL.getAtr) return { kind: 'getAtr' }
  return { kind: 'unknownControl', code }
}

/** Length-prefixed framing; chunk boundaries mean nothing. Zero-length messages are skipped. */
export class VpcdDecoder {
  #buffer = new Uint8Array(0)

  push(chunk: Uint8Array): VpcdMessage[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length)
    joined.set(this.#buffer)
    joined.set(chunk, this.#buffer.length)
    const messages: VpcdMessage[] = []
    let at = 0
    while (joined.length - at >= 2) {
      const length = (joined[at]! << 8) | joined[at + 1]!
      if (joined.length - at - 2 < length) break
      if (length > 0) messages.push(classifyVpcdPayload(joined.slice(at + 2, at + 2 + length)))
      at += 2 + length
    }
    this.#buffer = joined.slice(at)
    return messages
  }
}

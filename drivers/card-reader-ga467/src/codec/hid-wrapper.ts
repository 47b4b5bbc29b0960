/**
 * Vendor HID wrapper around SAM frames (§1.1 "Other USB forms"), after Miaxis'
 * `org.zz.idcard_hid_driver`: the host sends flag 0x88, the reader answers with flag 0xAA.
 *
 *   FLAG(1) SRN(2, LE) LEN(2, LE) CMD(1) PAYLOAD(LEN-1) SUM(2, LE)
 *
 * LEN counts CMD + PAYLOAD; SUM is the 16-bit sum of every byte from FLAG to the end of PAYLOAD.
 * CMD 0x01 carries one whole SAM frame as PAYLOAD (pass-through). Packets are cut into HID
 * reports and the last report is zero-padded, so zero bytes between packets are padding, not garbage.
 * The public source gives the field list, not every detail: the byte order of SRN and the extent of
 * the sum are this project's reading, recorded as the registry quirk `hidWrapper: 'miaxis'`.
 */
export const HID_FLAG_REQUEST = 0x88
export const HID_FLAG_REPLY = 0xaa
export const HID_CMD_SAM_PASSTHROUGH = 0x01
const HEADER = 6
const TRAILER = 2

export interface HidPacket {
  flag: number
  srn: number
  cmd: number
  payload: Uint8Array
}

export function encodeHidPacket(packet: HidPacket): Uint8Array {
  const length = packet.payload.length + 1
  if (length > 0xffff) throw new TypeError('encodeHidPacket: payload does not fit a 16-bit length')
  if (!Number.isInteger(packet.srn) || packet.srn < 0 || packet.srn > 0xffff) {
    throw new TypeError(`encodeHidPacket: srn must be 0..65535, got ${packet.srn}`)
  }
  const out = new Uint8Array(HEADER + packet.payload.length + TRAILER)
  out[0] = packet.flag
  out[1] = packet.srn & 0xff
  out[2] = packet.srn >> 8
  out[3] = length & 0xff
  out[4] = length >> 8
  out[5] = packet.cmd
  out.set(packet.payload, HEADER)
  const sum = additiveSum(out, 0, HEADER + packet.payload.length)
  out[out.length - 2] = sum & 0xff
  out[out.length - 1] = sum >> 8
  return out
}

function additiveSum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0
  for (let i = start; i < end; i++) sum = (sum + bytes[i]!) & 0xffff
  return sum
}

export type HidDecodeEvent =
  | { kind: 'packet'; packet: HidPacket }
  | { kind: 'discarded'; bytes: Uint8Array; reason: 'checksum' | 'garbage' | 'overflow' }

/**
 * Reassembles packets with the given flag from report payloads, whatever the chunking.
 * Zero padding is skipped silently; other stray bytes are reported as garbage.
 */
export class HidPacketDecoder {
  readonly #flag: number
  readonly #maxLength: number
  #buffer = new Uint8Array(0)

  constructor(flag: number, maxLength = 8192) {
    this.#flag = flag
    this.#maxLength = maxLength
  }

  reset(): void {
    this.#buffer = new Uint8Array(0)
  }

  push(chunk: Uint8Array): HidDecodeEvent[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length)
    joined.set(this.#buffer, 0)
    joined.set(chunk, this.#buffer.length)
    const events: HidDecodeEvent[] = []
    let pos = 0
    for (;;) {
      let start = pos
      while (start < joined.length && joined[start] !== this.#flag) start++
      const stray = joined.slice(pos, start).filter((b) => b !== 0)
      if (stray.length > 0) events.push({ kind: 'discarded', bytes: stray, reason: 'garbage' })
      pos = start
      if (joined.length < start + HEADER) break
      const length = joined[start + 3]! | (joined[start + 4]! << 8)
      if (length < 1 || length > this.#maxLength) {
        events.push({ kind: 'discarded', bytes: joined.slice(start, start + HEADER), reason: 'overflow' })
        pos = start + HEADER
        continue
      }
      const end = start + HEADER - 1 + length + TRAILER
      if (joined.length < end) break
      const sum = joined[end - 2]! | (joined[end - 1]! << 8)
      if (sum !== additiveSum(joined, start, end - TRAILER)) {
        events.push({ kind: 'discarded', bytes: joined.slice(start, end), reason: 'checksum' })
      } else {
        events.push({
          kind: 'packet',
          packet: {
            flag: joined[start]!,
            srn: joined[start + 1]! | (joined[start + 2]! << 8),
            cmd: joined[start + 5]!,
            payload: joined.slice(start + HEADER, end - TRAILER),
          },
        })
      }
      pos = end
    }
    this.#buffer = joined.slice(pos)
    return events
  }
}

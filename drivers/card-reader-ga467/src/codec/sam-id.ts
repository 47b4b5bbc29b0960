import { SAM_ID_SIZE } from './constants.ts'

/**
 * §1.5 12 FF: 16 bytes of SAM id. Formatted the HslCommunication way,
 * `D2(b10).D2(b12)-int32LE(b14)-D9(int32LE(b18))-D9(int32LE(b22))`, with offsets counted from the
 * start of the reply *frame* (preamble 0..4, Len 5..6, SW 7..9), i.e. data offsets 0, 2, 4, 8, 12.
 * Vendors format it differently; the hex is always given too.
 */
export interface SamId {
  hex: string
  formatted: string
}

export function formatSamId(data: Uint8Array): SamId {
  if (data.length !== SAM_ID_SIZE) throw new TypeError(`formatSamId: SAM id must be ${SAM_ID_SIZE} bytes`)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const d2 = (n: number) => String(n).padStart(2, '0')
  const d9 = (n: number) => String(n).padStart(9, '0')
  const formatted = `${d2(data[0]!)}.${d2(data[2]!)}-${view.getUint32(4, true)}-${d9(view.getUint32(8, true))}-${d9(view.getUint32(12, true))}`
  return { hex: toHex(data), formatted }
}

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

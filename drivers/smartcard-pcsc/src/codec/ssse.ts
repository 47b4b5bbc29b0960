import iconv from 'iconv-lite'
import type { CommandApdu } from './apdu.ts'
import type { ItemEncoding } from './ssse-layout.ts'

/** §6: the SSSE environment's DF name, "sx1.sh.社会保障" in GBK. */
export const SSSE_DF_NAME: Uint8Array = Uint8Array.from(iconv.encode('sx1.sh.社会保障', 'gbk'))

export const INS = { select: 0xa4, readRecord: 0xb2, verify: 0x20, getResponse: 0xc0 } as const

/** `00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF`. */
export function selectSsse(): CommandApdu {
  return { cla: 0x00, ins: INS.select, p1: 0x04, p2: 0x00, data: SSSE_DF_NAME }
}

/** `00 A4 02 00 02 EF 05`: select an EF under the current DF by its file id. */
export function selectFile(fileId: number): CommandApdu {
  if (!(Number.isInteger(fileId) && fileId > 0 && fileId <= 0xffff)) throw new TypeError('fileId must be 1..0xffff')
  return { cla: 0x00, ins: INS.select, p1: 0x02, p2: 0x00, data: Uint8Array.of(fileId >> 8, fileId & 0xff) }
}

/** `00 B2 <rec> 04 <Le>`: read record `rec` of the current EF; Le = tag + length + value. */
export function readRecord(record: number, le: number): CommandApdu {
  if (!(Number.isInteger(record) && record >= 1 && record <= 0xfe)) throw new TypeError('record must be 1..254')
  return { cla: 0x00, ins: INS.readRecord, p1: record, p2: 0x04, le }
}

export function getResponse(le: number): CommandApdu {
  return { cla: 0x00, ins: INS.getResponse, p1: 0x00, p2: 0x00, le }
}

/**
 * `00 20 00 00 <Lc> <BCD PIN>`: the PIN's digits packed two per byte, an odd digit count padded
 * with F. Throws TypeError (without echoing the PIN) unless it is 4–12 digits.
 */
export function verifyPin(pin: string): CommandApdu {
  if (!isWellFormedPin(pin)) throw new TypeError('pin must be 4 to 12 digits')
  return { cla: 0x00, ins: INS.verify, p1: 0x00, p2: 0x00, data: packBcd(pin) }
}

export function isWellFormedPin(pin: string): boolean {
  return /^[0-9]{4,12}$/.test(pin)
}

/** Digits → BCD, right-padded with F. */
export function packBcd(digits: string): Uint8Array {
  if (!/^[0-9]*$/.test(digits)) throw new TypeError('packBcd takes digits only')
  const padded = digits.length % 2 ? `${digits}F` : digits
  return Uint8Array.from(padded.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
}

/** BCD → digits, stopping at the F padding. */
export function unpackBcd(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) {
    for (const nibble of [b >> 4, b & 0x0f]) {
      if (nibble === 0x0f) return out
      out += nibble <= 9 ? String(nibble) : '?'
    }
  }
  return out
}

/** A record is TLV: tag = the record number, one length byte, the value (§6). */
export function parseRecord(record: number, bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 2 || bytes[0] !== record) return undefined
  const length = bytes[1]!
  if (bytes.length < 2 + length) return undefined
  return bytes.slice(2, 2 + length)
}

export function encodeRecord(record: number, value: Uint8Array): Uint8Array {
  if (value.length > 0xfd) throw new TypeError('record value must be at most 253 bytes')
  return Uint8Array.from([record, value.length, ...value])
}

/** A record value → text, by the item's encoding. */
export function decodeItem(value: Uint8Array, encoding: ItemEncoding): string {
  if (encoding === 'cn') return unpackBcd(value)
  if (encoding === 'date') {
    const digits = unpackBcd(value)
    return /^\d{8}$/.test(digits) ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}` : digits
  }
  let end = value.length
  while (end > 0 && (value[end - 1] === 0x00 || value[end - 1] === 0x20 || value[end - 1] === 0xff)) end--
  const trimmed = value.subarray(0, end)
  return encoding === 'gbk' ? iconv.decode(Buffer.from(trimmed), 'gbk') : String.fromCharCode(...trimmed)
}

/** Text → a record value of `length` bytes (for the virtual card); throws TypeError when it does not fit. */
export function encodeItem(text: string, encoding: ItemEncoding, length: number, field: string): Uint8Array {
  let bytes: Uint8Array
  if (encoding === 'cn') bytes = packBcd(text)
  else if (encoding === 'date') bytes = packBcd(text.replaceAll('-', ''))
  else if (encoding === 'gbk') bytes = Uint8Array.from(iconv.encode(text, 'gbk'))
  else {
    if (!/^[\x20-\x7e]*$/.test(text)) throw new TypeError(`${field} must be printable ASCII`)
    bytes = Uint8Array.from(text, (c) => c.charCodeAt(0))
  }
  if (bytes.length > length) throw new TypeError(`${field} takes at most ${length} bytes, got ${bytes.length}`)
  const out = new Uint8Array(length).fill(encoding === 'cn' || encoding === 'date' ? 0xff : 0x00)
  out.set(bytes)
  return out
}

/**
 * ISO/IEC 7816-4 APDUs, short form only (what the social-security card uses).
 * Case 1: CLA INS P1 P2 · case 2: + Le · case 3: + Lc data · case 4: + Lc data Le.
 */
export interface CommandApdu {
  cla: number
  ins: number
  p1: number
  p2: number
  data?: Uint8Array
  /** Expected response length, 1..256 (256 is sent as 00). */
  le?: number
}

export interface ResponseApdu {
  data: Uint8Array
  sw1: number
  sw2: number
  /** SW1 << 8 | SW2. */
  sw: number
}

const isByte = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xff

export function encodeCommandApdu(apdu: CommandApdu): Uint8Array {
  for (const key of ['cla', 'ins', 'p1', 'p2'] as const) {
    if (!isByte(apdu[key])) throw new TypeError(`CommandApdu.${key} must be a byte, got ${apdu[key]}`)
  }
  const data = apdu.data ?? new Uint8Array(0)
  if (data.length > 255)
    throw new TypeError(`CommandApdu.data must be at most 255 bytes (short APDU), got ${data.length}`)
  if (apdu.le !== undefined && !(Number.isInteger(apdu.le) && apdu.le >= 1 && apdu.le <= 256)) {
    throw new TypeError(`CommandApdu.le must be 1..256, got ${apdu.le}`)
  }
  const out = [apdu.cla, apdu.ins, apdu.p1, apdu.p2]
  if (data.length > 0) out.push(data.length, ...data)
  if (apdu.le !== undefined) out.push(apdu.le & 0xff)
  return Uint8Array.from(out)
}

/** Card side: bytes → command; undefined when the bytes are no valid short APDU. */
export function decodeCommandApdu(bytes: Uint8Array): CommandApdu | undefined {
  if (bytes.length < 4) return undefined
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number]
  const head = { cla, ins, p1, p2 }
  if (bytes.length === 4) return head
  if (bytes.length === 5) return { ...head, le: bytes[4] === 0 ? 256 : bytes[4]! }
  const lc = bytes[4]!
  if (lc === 0) return undefined
  const data = bytes.slice(5, 5 + lc)
  if (data.length !== lc) return undefined
  if (bytes.length === 5 + lc) return { ...head, data }
  if (bytes.length === 6 + lc) return { ...head, data, le: bytes[5 + lc] === 0 ? 256 : bytes[5 + lc]! }
  return undefined
}

/** Host side: R-APDU bytes → data + status word; undefined when shorter than SW1 SW2. */
export function decodeResponseApdu(bytes: Uint8Array): ResponseApdu | undefined {
  if (bytes.length < 2) return undefined
  const sw1 = bytes[bytes.length - 2]!
  const sw2 = bytes[bytes.length - 1]!
  return { data: bytes.slice(0, -2), sw1, sw2, sw: (sw1 << 8) | sw2 }
}

export function encodeResponseApdu(data: Uint8Array, sw: number): Uint8Array {
  if (!(Number.isInteger(sw) && sw >= 0 && sw <= 0xffff)) throw new TypeError(`sw must be 0..0xffff, got ${sw}`)
  const out = new Uint8Array(data.length + 2)
  out.set(data)
  out[data.length] = sw >> 8
  out[data.length + 1] = sw & 0xff
  return out
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

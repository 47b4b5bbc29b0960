import { GS } from './constants.ts'

/**
 * GS ( E: Epson's "user setup commands" (ESC/POS Application Programming Guide, "GS ( E"). The
 * host enters user setting mode (fn 1), changes memory switches (fn 3) and customized values
 * (fn 5), reads them back (fn 4, fn 6) and ends the session (fn 2), after which the printer resets
 * and the new settings take effect. Replies are blocks `37 <id> … 00`:
 *
 * | fn | host → printer | printer → host |
 * |---|---|---|
 * | 1 enter | `1D 28 45 03 00 01 49 4E` ("IN") | `37 20 00` |
 * | 2 end | `1D 28 45 04 00 02 4F 55 54` ("OUT") | — (software reset) |
 * | 3 memory switches | `1D 28 45 pL pH 03 [a b8…b1]…` (b = '0' off, '1' on, '2' keep) | — |
 * | 4 read switch | `1D 28 45 02 00 04 a` | `37 21 b8…b1 00` |
 * | 5 customized values | `1D 28 45 pL pH 05 [a nL nH]…` | — |
 * | 6 read value | `1D 28 45 02 00 06 a` | `37 27 <a decimal> 1F <n decimal> 00` |
 *
 * Parameter numbers used (fn 5 `a`): 5 print density, 6 print speed, 97 default character code
 * table. Density `n` is 0 for 100 %, 65530–65535 for 70–95 %, 1–6 for 105–130 % (steps of 5 %).
 * Taken from Epson's published GS ( E description; not verified on a unit here, and Chinese
 * vendors (Xprinter, Gprinter) implement subsets, hence the per-model `configSchema` in the registry.
 */
export const GS_USER_SETTINGS = [GS, 0x28, 0x45] as const
export const USER_FN_ENTER = 0x01
export const USER_FN_END = 0x02
export const USER_FN_SET_SWITCHES = 0x03
export const USER_FN_READ_SWITCH = 0x04
export const USER_FN_SET_VALUES = 0x05
export const USER_FN_READ_VALUE = 0x06
/** Reply block headers: `37` user-setting replies, `5F` GS I printer information. */
export const REPLY_USER_SETTING = 0x37
export const REPLY_PRINTER_INFO = 0x5f
export const REPLY_ID_ENTERED = 0x20
export const REPLY_ID_SWITCH = 0x21
export const REPLY_ID_VALUE = 0x27
const UNIT_SEPARATOR = 0x1f

/** Customized-value parameter numbers (fn 5 / fn 6 `a`). */
export const SettingParam = { printDensity: 5, printSpeed: 6, codePage: 97 } as const

/** GS I n: transmit printer information. 0x41 firmware version, 0x42 maker, 0x43 model, 0x44 serial. */
export const GS_PRINTER_INFO = [GS, 0x49] as const
export const PrinterInfo = { firmware: 0x41, maker: 0x42, model: 0x43, serial: 0x44 } as const

function gsE(fn: number, data: readonly number[]): Uint8Array {
  const size = data.length + 1
  return Uint8Array.of(...GS_USER_SETTINGS, size & 0xff, size >> 8, fn, ...data)
}

export const encodeEnterUserSettings = (): Uint8Array => gsE(USER_FN_ENTER, [0x49, 0x4e])
export const encodeEndUserSettings = (): Uint8Array => gsE(USER_FN_END, [0x4f, 0x55, 0x54])
export const encodeReadSwitch = (msw: number): Uint8Array => gsE(USER_FN_READ_SWITCH, [msw])
export const encodeReadValue = (param: number): Uint8Array => gsE(USER_FN_READ_VALUE, [param])
export const encodePrinterInfo = (n: number): Uint8Array => Uint8Array.of(...GS_PRINTER_INFO, n)

/** Memory switch bits as 8 characters, bit 8 first: '0' off, '1' on, '2' leave as it is. */
export type SwitchBits = string
export const SWITCH_BITS = /^[012]{8}$/

export function encodeSetSwitches(switches: ReadonlyMap<number, SwitchBits>): Uint8Array {
  const data: number[] = []
  for (const [msw, bits] of switches) {
    if (!(msw >= 1 && msw <= 8) || !SWITCH_BITS.test(bits)) throw new RangeError(`memory switch ${msw}: ${bits}`)
    data.push(msw, ...[...bits].map((c) => c.charCodeAt(0)))
  }
  return gsE(USER_FN_SET_SWITCHES, data)
}

export function encodeSetValues(values: ReadonlyMap<number, number>): Uint8Array {
  const data: number[] = []
  for (const [param, n] of values) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`setting ${param}: ${n}`)
    data.push(param, n & 0xff, n >> 8)
  }
  return gsE(USER_FN_SET_VALUES, data)
}

/** Print density percent (70–130, steps of 5) ↔ fn 5 value. */
export function densityToValue(percent: number): number {
  const steps = (percent - 100) / 5
  return steps < 0 ? 0x10000 + steps : steps
}
export function valueToDensity(n: number): number {
  return n >= 0x8000 ? 100 + (n - 0x10000) * 5 : 100 + n * 5
}

/** A reply block from the printer: header byte, then the bytes up to the closing NUL. */
export interface ReplyBlock {
  header: number
  data: Uint8Array
}

/** fn 6 reply data `27 <a> 1F <n>` (after the header) → [a, n]; undefined when malformed. */
export function parseValueReply(block: ReplyBlock): { param: number; value: number } | undefined {
  if (block.header !== REPLY_USER_SETTING || block.data[0] !== REPLY_ID_VALUE) return undefined
  const text = Buffer.from(block.data.subarray(1)).toString('latin1')
  const [a, n, ...rest] = text.split(String.fromCharCode(UNIT_SEPARATOR))
  if (rest.length > 0 || !/^\d+$/.test(a ?? '') || !/^\d+$/.test(n ?? '')) return undefined
  return { param: Number(a), value: Number(n) }
}

/** fn 4 reply data `21 b8…b1` → bits; undefined when malformed. */
export function parseSwitchReply(block: ReplyBlock): SwitchBits | undefined {
  if (block.header !== REPLY_USER_SETTING || block.data[0] !== REPLY_ID_SWITCH) return undefined
  const bits = Buffer.from(block.data.subarray(1)).toString('latin1')
  return /^[01]{8}$/.test(bits) ? bits : undefined
}

/** Device side: the reply blocks the emulator sends. */
export function encodeValueReply(param: number, value: number): Uint8Array {
  const text = `${param}${String.fromCharCode(UNIT_SEPARATOR)}${value}`
  return Uint8Array.of(REPLY_USER_SETTING, REPLY_ID_VALUE, ...Buffer.from(text, 'latin1'), 0)
}
export function encodeSwitchReply(bits: string): Uint8Array {
  return Uint8Array.of(REPLY_USER_SETTING, REPLY_ID_SWITCH, ...Buffer.from(bits, 'latin1'), 0)
}
export const encodeEnteredReply = (): Uint8Array => Uint8Array.of(REPLY_USER_SETTING, REPLY_ID_ENTERED, 0)
export function encodePrinterInfoReply(text: string): Uint8Array {
  return Uint8Array.of(REPLY_PRINTER_INFO, ...Buffer.from(text, 'latin1'), 0)
}

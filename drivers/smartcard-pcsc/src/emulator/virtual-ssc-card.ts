import {
  type CommandApdu,
  DEFAULT_SSSE_LAYOUT,
  decodeCommandApdu,
  encodeItem,
  encodeRecord,
  encodeResponseApdu,
  INS,
  type RecordItem,
  SSSE_DF_NAME,
  type SsseLayout,
  SW,
  unpackBcd,
} from '../codec/index.ts'
import type { SscCardData } from './ssc-card-data.ts'

const DEFAULT_ATR = '3b8880014b696f736b5353430f'

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * The card side of the SSSE application (§6), as an APDU processor: SELECT by DF name and by file
 * id, READ RECORD as TLV (6Cxx when Le is wrong, as cards do), VERIFY with a tries counter
 * (63Cx, then 6983), EF06 guarded by the PIN (6982). Power-on and reset drop the verification.
 */
export class VirtualSscCard {
  readonly layout: SsseLayout
  readonly atr: Uint8Array
  /** INS bytes seen, for assertions (never the data: VERIFY carries the PIN). */
  readonly instructions: number[] = []
  #data: SscCardData
  #files = new Map<number, Map<number, Uint8Array>>()
  #triesLeft: number
  #inSsse = false
  #selectedFile: number | undefined
  #verified = false

  constructor(data: SscCardData, layout: SsseLayout = DEFAULT_SSSE_LAYOUT) {
    this.#data = data
    this.layout = layout
    this.#triesLeft = data.pinTries ?? 3
    const atrHex = data.atrHex ?? DEFAULT_ATR
    this.atr = Uint8Array.from(atrHex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
    this.#files.set(layout.cardInfoFile, this.#records(layout.cardInfo, data.info as Record<string, string>, 'info'))
    this.#files.set(
      layout.holderFile,
      this.#records(layout.holder, data.holder as unknown as Record<string, string>, 'holder'),
    )
  }

  get pinTriesLeft(): number {
    return this.#triesLeft
  }

  /** Power-on or reset: the application and the PIN state are gone. */
  reset(): void {
    this.#inSsse = false
    this.#selectedFile = undefined
    this.#verified = false
  }

  /** C-APDU bytes → R-APDU bytes. */
  process(bytes: Uint8Array): Uint8Array {
    const apdu = decodeCommandApdu(bytes)
    if (!apdu) return encodeResponseApdu(new Uint8Array(0), SW.wrongLength)
    this.instructions.push(apdu.ins)
    if (apdu.cla !== 0x00) return encodeResponseApdu(new Uint8Array(0), SW.claNotSupported)
    if (apdu.ins === INS.select) return this.#select(apdu)
    if (apdu.ins === INS.readRecord) return this.#readRecord(apdu)
    if (apdu.ins === INS.verify) return this.#verify(apdu)
    return encodeResponseApdu(new Uint8Array(0), SW.insNotSupported)
  }

  #select(apdu: CommandApdu): Uint8Array {
    const data = apdu.data ?? new Uint8Array(0)
    if (apdu.p1 === 0x04) {
      if (!sameBytes(data, SSSE_DF_NAME)) return sw(SW.fileNotFound)
      this.#inSsse = true
      this.#selectedFile = undefined
      return sw(SW.ok)
    }
    if ((apdu.p1 === 0x02 || apdu.p1 === 0x00) && data.length === 2) {
      const id = (data[0]! << 8) | data[1]!
      if (!this.#inSsse || !this.#files.has(id)) return sw(SW.fileNotFound)
      this.#selectedFile = id
      return sw(SW.ok)
    }
    return sw(SW.wrongP1P2)
  }

  #readRecord(apdu: CommandApdu): Uint8Array {
    if (apdu.p2 !== 0x04) return sw(SW.wrongP1P2)
    const file = this.#selectedFile
    if (file === undefined) return sw(SW.conditionsNotSatisfied)
    if (file === this.layout.holderFile && !this.#verified) return sw(SW.securityNotSatisfied)
    const record = this.#files.get(file)?.get(apdu.p1)
    if (!record) return sw(SW.recordNotFound)
    if (apdu.le !== undefined && apdu.le !== 256 && apdu.le !== record.length) return sw(0x6c00 | record.length)
    return encodeResponseApdu(record, SW.ok)
  }

  #verify(apdu: CommandApdu): Uint8Array {
    if (!this.#inSsse) return sw(SW.conditionsNotSatisfied)
    if (this.#triesLeft === 0) return sw(SW.pinBlocked)
    const offered = unpackBcd(apdu.data ?? new Uint8Array(0))
    if (offered === this.#data.pin) {
      this.#triesLeft = this.#data.pinTries ?? 3
      this.#verified = true
      return sw(SW.ok)
    }
    this.#triesLeft--
    this.#verified = false
    return this.#triesLeft === 0 ? sw(SW.pinBlocked) : sw(0x63c0 | this.#triesLeft)
  }

  #records<K extends string>(
    items: readonly RecordItem<K>[],
    values: Record<string, string>,
    where: string,
  ): Map<number, Uint8Array> {
    const map = new Map<number, Uint8Array>()
    for (const item of items) {
      const value = values[item.key]
      if (value === undefined) throw new TypeError(`${where}.${item.key} is required`)
      map.set(
        item.record,
        encodeRecord(item.record, encodeItem(value, item.encoding, item.length, `${where}.${item.key}`)),
      )
    }
    return map
  }
}

function sw(word: number): Uint8Array {
  return encodeResponseApdu(new Uint8Array(0), word)
}

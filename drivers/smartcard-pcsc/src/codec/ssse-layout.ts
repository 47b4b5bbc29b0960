/**
 * Where the SSSE application keeps each data item (docs/device-protocols.md §6). Record numbers of EF05
 * 01–03 and 07, and EF06 01–02, come from public sample code; the others and every length are this
 * project's reading of 社会保障卡文件结构和数据项 summaries. **Check them against the issuing region's
 * spec before relying on them**; a registry quirk can carry another layout.
 */
export type ItemEncoding = 'an' | 'cn' | 'gbk' | 'date'

export interface RecordItem<K extends string> {
  key: K
  record: number
  /** Value bytes on the card (TLV length). */
  length: number
  /** an: ASCII right-padded 00; cn: BCD right-padded F; gbk: GBK text padded 00; date: BCD YYYYMMDD. */
  encoding: ItemEncoding
}

export type CardInfoKey =
  | 'cardIdentifier'
  | 'cardType'
  | 'specVersion'
  | 'issuerOrg'
  | 'issueDate'
  | 'expiryDate'
  | 'cardNumber'
export type HolderKey = 'socialSecurityNumber' | 'name' | 'gender' | 'nation' | 'birthDate'

export interface SsseLayout {
  /** Issuer data (card identification), readable without a PIN. */
  cardInfoFile: number
  cardInfo: readonly RecordItem<CardInfoKey>[]
  /** Holder data, readable after VERIFY. */
  holderFile: number
  holder: readonly RecordItem<HolderKey>[]
}

export const DEFAULT_SSSE_LAYOUT: SsseLayout = {
  cardInfoFile: 0xef05,
  cardInfo: [
    { key: 'cardIdentifier', record: 0x01, length: 16, encoding: 'an' },
    { key: 'cardType', record: 0x02, length: 1, encoding: 'an' },
    { key: 'specVersion', record: 0x03, length: 4, encoding: 'an' },
    { key: 'issuerOrg', record: 0x04, length: 6, encoding: 'cn' },
    { key: 'issueDate', record: 0x05, length: 4, encoding: 'date' },
    { key: 'expiryDate', record: 0x06, length: 4, encoding: 'date' },
    // `00 B2 07 04 0B` in sample code: Le 11 = tag + length + 9 bytes.
    { key: 'cardNumber', record: 0x07, length: 9, encoding: 'an' },
  ],
  holderFile: 0xef06,
  holder: [
    // `00 B2 01 04 14`: 18-character number; `00 B2 02 04 20`: 30 bytes of GBK name.
    { key: 'socialSecurityNumber', record: 0x01, length: 18, encoding: 'an' },
    { key: 'name', record: 0x02, length: 30, encoding: 'gbk' },
    { key: 'gender', record: 0x03, length: 1, encoding: 'an' },
    { key: 'nation', record: 0x04, length: 1, encoding: 'cn' },
    { key: 'birthDate', record: 0x05, length: 4, encoding: 'date' },
  ],
}

import {
  type CardText,
  FOREIGN_FIELDS,
  MARKER_FOREIGN,
  MARKER_HK_MACAU_TAIWAN,
  PERMIT_FIELDS,
  RESIDENT_FIELDS,
  TYPE_MARKER_OFFSET,
} from './card-text.ts'
import { genderCode, nationCode } from './code-tables.ts'
import { TEXT_SIZE } from './constants.ts'
import { writeUcs2 } from './ucs2.ts'

/** The encoder accepts what the decoder returns, without the derived check result. */
export type CardTextInput = Omit<CardText, 'idNumberCheck'> & { idNumberCheck?: CardText['idNumberCheck'] }

/** `YYYY-MM-DD` → `YYYYMMDD`; other text is written as given (cards with odd dates exist). */
function rawDate(date: string): string {
  if (date === 'long-term') return '长期'
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.replaceAll('-', '') : date
}

/**
 * The inverse of `decodeCardText`: the 256-byte block the SAM would send for this card.
 * Used by the emulator and to build fixtures. Bad input throws a TypeError naming the field.
 */
export function encodeCardText(card: CardTextInput): Uint8Array {
  const text = new Uint8Array(TEXT_SIZE)
  writeUcs2(text, 0, TEXT_SIZE, '', 'padding')
  const put = (range: readonly [number, number], value: string, field: string) =>
    writeUcs2(text, range[0], range[1] - range[0], value, field)
  if (card.cardType === 'foreignPermanent') {
    const f = FOREIGN_FIELDS
    put(f.englishName, card.name, 'name')
    put(f.gender, genderCode(card.gender), 'gender')
    put(f.idNumber, card.idNumber, 'idNumber')
    put(f.nationality, card.nation, 'nation')
    put(f.chineseName, card.chineseName ?? '', 'chineseName')
    put(f.validFrom, rawDate(card.validFrom), 'validFrom')
    put(f.validTo, rawDate(card.validTo), 'validTo')
    put(f.birthDate, rawDate(card.birthDate), 'birthDate')
    put(f.cardVersion, card.cardVersion ?? '', 'cardVersion')
    put(f.authorityCode, card.issuingAuthority, 'issuingAuthority')
    text[TYPE_MARKER_OFFSET] = MARKER_FOREIGN
    text[TYPE_MARKER_OFFSET + 1] = 0
    return text
  }
  const f = RESIDENT_FIELDS
  put(f.name, card.name, 'name')
  put(f.gender, genderCode(card.gender), 'gender')
  put(f.birthDate, rawDate(card.birthDate), 'birthDate')
  put(f.address, card.address, 'address')
  put(f.idNumber, card.idNumber, 'idNumber')
  put(f.issuingAuthority, card.issuingAuthority, 'issuingAuthority')
  put(f.validFrom, rawDate(card.validFrom), 'validFrom')
  put(f.validTo, rawDate(card.validTo), 'validTo')
  if (card.cardType === 'hkMacauTaiwan') {
    put(PERMIT_FIELDS.passNumber, card.passNumber ?? '', 'passNumber')
    put(PERMIT_FIELDS.issueCount, card.cardVersion ?? '', 'cardVersion')
    text[TYPE_MARKER_OFFSET] = MARKER_HK_MACAU_TAIWAN
    text[TYPE_MARKER_OFFSET + 1] = 0
  } else {
    put(f.nation, nationCode(card.nation), 'nation')
  }
  return text
}

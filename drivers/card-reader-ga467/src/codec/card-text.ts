import type { CardDate, IdentityCard } from '@drivers/core'
import { genderFromCode, nationFromCode } from './code-tables.ts'
import { TEXT_SIZE } from './constants.ts'
import { checkIdNumber } from './id-number.ts'
import { decodeUcs2 } from './ucs2.ts'

/** The part of an IdentityCard that lives in the 256-byte text block. */
export type CardText = Omit<IdentityCard, 'photoWlt' | 'fingerprints' | 'additionalAddress'>

/** §1.7 Byte 248 holds the card-type marker on foreign cards ('I') and HK/Macau/Taiwan permits ('J'). */
export const TYPE_MARKER_OFFSET = 248
export const MARKER_FOREIGN = 0x49
export const MARKER_HK_MACAU_TAIWAN = 0x4a

/** §1.6 / §1.7 field offsets as [start, end). */
export const RESIDENT_FIELDS = {
  name: [0, 30],
  gender: [30, 32],
  nation: [32, 36],
  birthDate: [36, 52],
  address: [52, 122],
  idNumber: [122, 158],
  issuingAuthority: [158, 188],
  validFrom: [188, 204],
  validTo: [204, 220],
} as const

export const FOREIGN_FIELDS = {
  englishName: [0, 120],
  gender: [120, 122],
  idNumber: [122, 152],
  nationality: [152, 158],
  chineseName: [158, 188],
  validFrom: [188, 204],
  validTo: [204, 220],
  birthDate: [220, 236],
  cardVersion: [236, 240],
  authorityCode: [240, 248],
} as const

export const PERMIT_FIELDS = {
  ...RESIDENT_FIELDS,
  passNumber: [220, 238],
  issueCount: [238, 242],
} as const

/** `YYYYMMDD` → `YYYY-MM-DD`; anything else is returned trimmed, so odd cards are shown, not hidden. */
export function formatCardDate(raw: string): CardDate {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw)
  return m ? `${m[1]}-${m[2]}-${m[3]}` : raw
}

/** Valid-to may read 长期 (no expiry). */
export function formatValidTo(raw: string): CardDate | 'long-term' {
  return raw === '长期' ? 'long-term' : formatCardDate(raw)
}

/**
 * Decodes the 256-byte text block of any of the three card types, chosen by the marker at byte 248.
 * Never throws on card bytes; a text block of the wrong size is the caller's bug.
 */
export function decodeCardText(text: Uint8Array): CardText {
  if (text.length !== TEXT_SIZE)
    throw new TypeError(`decodeCardText: text must be ${TEXT_SIZE} bytes, got ${text.length}`)
  const marker = text[TYPE_MARKER_OFFSET]! | (text[TYPE_MARKER_OFFSET + 1]! << 8)
  if (marker === MARKER_FOREIGN) return decodeForeign(text)
  const f = marker === MARKER_HK_MACAU_TAIWAN ? PERMIT_FIELDS : RESIDENT_FIELDS
  const field = (range: readonly [number, number]) => decodeUcs2(text, range[0], range[1])
  const idNumber = field(f.idNumber)
  const common = {
    name: field(f.name),
    gender: genderFromCode(field(f.gender)),
    birthDate: formatCardDate(field(f.birthDate)),
    address: field(f.address),
    idNumber,
    idNumberCheck: checkIdNumber(idNumber),
    issuingAuthority: field(f.issuingAuthority),
    validFrom: formatCardDate(field(f.validFrom)),
    validTo: formatValidTo(field(f.validTo)),
  }
  if (marker === MARKER_HK_MACAU_TAIWAN) {
    return {
      cardType: 'hkMacauTaiwan',
      ...common,
      nation: '',
      passNumber: field(PERMIT_FIELDS.passNumber),
      cardVersion: field(PERMIT_FIELDS.issueCount),
    }
  }
  return { cardType: 'resident', ...common, nation: nationFromCode(field(RESIDENT_FIELDS.nation)) }
}

function decodeForeign(text: Uint8Array): CardText {
  const field = (range: readonly [number, number]) => decodeUcs2(text, range[0], range[1])
  const idNumber = field(FOREIGN_FIELDS.idNumber)
  return {
    cardType: 'foreignPermanent',
    name: field(FOREIGN_FIELDS.englishName),
    chineseName: field(FOREIGN_FIELDS.chineseName),
    gender: genderFromCode(field(FOREIGN_FIELDS.gender)),
    nation: field(FOREIGN_FIELDS.nationality),
    birthDate: formatCardDate(field(FOREIGN_FIELDS.birthDate)),
    address: '',
    idNumber,
    idNumberCheck: checkIdNumber(idNumber),
    issuingAuthority: field(FOREIGN_FIELDS.authorityCode),
    validFrom: formatCardDate(field(FOREIGN_FIELDS.validFrom)),
    validTo: formatValidTo(field(FOREIGN_FIELDS.validTo)),
    cardVersion: field(FOREIGN_FIELDS.cardVersion),
  }
}

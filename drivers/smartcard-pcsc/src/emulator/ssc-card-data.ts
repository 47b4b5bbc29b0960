import type { SocialSecurityCardInfo, SocialSecurityHolder } from '@drivers/core'

/** What a virtual social-security card holds: synthetic people only. */
export interface SscCardData {
  info: Omit<SocialSecurityCardInfo, 'regionCode'>
  holder: SocialSecurityHolder
  /** Cardholder PIN, digits. */
  pin: string
  /** VERIFY tries before the PIN blocks. Default 3; 0 is a card whose PIN is already blocked. */
  pinTries?: number
  /** ATR hex; default a T=1 ATR with historical bytes "SSCARD". */
  atrHex?: string
}

/** A synthetic card for demos and tests (区划 520100: 贵阳市; the person is made up). */
export const SAMPLE_SSC_CARD: SscCardData = {
  info: {
    cardIdentifier: '520100D156000005',
    cardType: '1',
    specVersion: '3.00',
    issuerOrg: '520100000001',
    issueDate: '2021-03-15',
    expiryDate: '2031-03-15',
    cardNumber: 'A52010012',
  },
  holder: {
    socialSecurityNumber: '52010219900307002X',
    name: '王小明',
    gender: '1',
    nation: '01',
    birthDate: '1990-03-07',
  },
  pin: '123456',
}

/** Validates card JSON (the `emulate sscard --card` file): throws TypeError naming the field. */
export function parseSscCardFile(json: unknown): SscCardData {
  const card = json as Partial<SscCardData>
  if (typeof card !== 'object' || card === null) throw new TypeError('card file must be a JSON object')
  if (typeof card.info !== 'object' || card.info === null) throw new TypeError('info is required')
  if (typeof card.holder !== 'object' || card.holder === null) throw new TypeError('holder is required')
  if (typeof card.pin !== 'string' || !/^[0-9]{4,12}$/.test(card.pin)) throw new TypeError('pin must be 4 to 12 digits')
  // A tries counter is a nibble on cards (63Cx); 0 means the PIN is blocked.
  if (card.pinTries !== undefined && !(Number.isInteger(card.pinTries) && card.pinTries >= 0 && card.pinTries <= 15)) {
    throw new TypeError('pinTries must be an integer from 0 to 15')
  }
  for (const key of Object.keys(SAMPLE_SSC_CARD.info) as (keyof SscCardData['info'])[]) {
    if (typeof card.info[key] !== 'string') throw new TypeError(`info.${key} must be a string`)
  }
  for (const key of Object.keys(SAMPLE_SSC_CARD.holder) as (keyof SocialSecurityHolder)[]) {
    if (typeof card.holder[key] !== 'string') throw new TypeError(`holder.${key} must be a string`)
  }
  return card as SscCardData
}

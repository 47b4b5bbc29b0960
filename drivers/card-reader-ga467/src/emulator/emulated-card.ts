import type { IdCardType } from '@drivers/core'
import { type CardTextInput, encodeCardText, FINGERPRINT_SIZE_PER_FINGER, PHOTO_SIZE } from '../codec/index.ts'

/** A card the emulator can present: the text fields, the WLT photo and optional extras. */
export interface EmulatedCard {
  text: CardTextInput
  photoWlt: Uint8Array
  /** Fingerprint templates (0, 512 or 1024 bytes) for the 30 10 read. */
  fingerprints?: Uint8Array
  /** 追加住址 for 30 03; absent means the SAM answers SW3 = 91. */
  additionalAddress?: string
}

const CARD_TYPES: readonly IdCardType[] = ['resident', 'foreignPermanent', 'hkMacauTaiwan']

/**
 * A deterministic stand-in for a WLT photo: the `WL` header with width 102 and height 126 (§1.9),
 * then bytes from a small PRNG seeded by `seed`. Opaque like the real thing.
 */
export function syntheticWlt(seed: string, size = PHOTO_SIZE): Uint8Array {
  const out = new Uint8Array(size)
  let x = 2166136261
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  out.set([0x57, 0x4c, 0x66, 0x00, 0x7e, 0x00, 0x32, 0x00].slice(0, size), 0)
  return out
}

/** Synthetic templates for `fingers` fingers (512 bytes each). */
export function syntheticFingerprints(seed: string, fingers: 0 | 1 | 2): Uint8Array {
  return syntheticWlt(`fp:${seed}`, fingers * FINGERPRINT_SIZE_PER_FINGER)
}

function str(obj: Record<string, unknown>, key: string, required = true): string {
  const value = obj[key]
  if (value === undefined && !required) return ''
  if (typeof value !== 'string') throw new TypeError(`card.${key} must be a string`)
  return value
}

function base64(obj: Record<string, unknown>, key: string, size?: number): Uint8Array | undefined {
  const value = obj[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TypeError(`card.${key} must be base64 text`)
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0))
  if (size !== undefined && bytes.length !== size) throw new TypeError(`card.${key} must hold ${size} bytes`)
  return bytes
}

/**
 * Reads a card file: the same JSON `kiosk-devices idcard read --json` prints (photoWlt and
 * fingerprints as base64, both optional), so a card read in the field can be served back.
 * `fingerprintCount` (0-2) asks for synthetic fingerprints instead of base64 ones.
 */
export function parseCardFile(json: unknown): EmulatedCard {
  if (typeof json !== 'object' || json === null) throw new TypeError('card file must hold a JSON object')
  const obj = json as Record<string, unknown>
  const cardType = obj['cardType']
  if (typeof cardType !== 'string' || !CARD_TYPES.includes(cardType as IdCardType)) {
    throw new TypeError(`card.cardType must be one of ${CARD_TYPES.join(', ')}`)
  }
  const gender = str(obj, 'gender')
  if (!['male', 'female', 'unknown', 'unspecified'].includes(gender)) {
    throw new TypeError('card.gender must be male, female, unknown or unspecified')
  }
  const text: CardTextInput = {
    cardType: cardType as IdCardType,
    name: str(obj, 'name'),
    gender: gender as CardTextInput['gender'],
    nation: str(obj, 'nation', cardType === 'resident'),
    birthDate: str(obj, 'birthDate'),
    address: str(obj, 'address', cardType !== 'foreignPermanent'),
    idNumber: str(obj, 'idNumber'),
    issuingAuthority: str(obj, 'issuingAuthority'),
    validFrom: str(obj, 'validFrom'),
    validTo: str(obj, 'validTo'),
  }
  for (const key of ['chineseName', 'cardVersion', 'passNumber'] as const) {
    if (obj[key] !== undefined) text[key] = str(obj, key)
  }
  encodeCardText(text)
  const card: EmulatedCard = { text, photoWlt: base64(obj, 'photoWlt', PHOTO_SIZE) ?? syntheticWlt(text.idNumber) }
  const fingerprints = base64(obj, 'fingerprints')
  const fingerprintCount = obj['fingerprintCount']
  if (fingerprints) card.fingerprints = fingerprints
  else if (fingerprintCount === 0 || fingerprintCount === 1 || fingerprintCount === 2) {
    card.fingerprints = syntheticFingerprints(text.idNumber, fingerprintCount)
  } else if (fingerprintCount !== undefined) throw new TypeError('card.fingerprintCount must be 0, 1 or 2')
  if (obj['additionalAddress'] !== undefined) card.additionalAddress = str(obj, 'additionalAddress')
  return card
}

import type { Result } from '@drivers/core'
import { fail, ok } from '@drivers/core'
import type { SamCommandType } from './commands.ts'
import {
  ADDITIONAL_ADDRESS_SIZE,
  FIND_DATA_SIZE,
  FINGERPRINT_SIZE_PER_FINGER,
  PHOTO_SIZE,
  SAM_ID_SIZE,
  SELECT_DATA_SIZE,
  TEXT_SIZE,
} from './constants.ts'
import { encodeFrame } from './frame.ts'
import { isSamSuccess } from './sam-status.ts'

/** SW1 SW2 relay the card's APDU status; SW3 is the SAM's (§1.2, §1.4). */
export interface StatusWords {
  sw1: number
  sw2: number
  sw3: number
}

/**
 * SAM → host replies, a discriminated union on `type`. Which one a body decodes to depends on the
 * command it answers, so `decodeResponse` takes the command type. Any reply whose SW3 is not a
 * success, and every success without data, is a plain `status`.
 */
export type SamResponse =
  | ({ type: 'status' } & StatusWords)
  | ({ type: 'findCard'; data: Uint8Array } & StatusWords)
  | ({ type: 'selectCard'; serial: Uint8Array } & StatusWords)
  | ({ type: 'cardData'; text: Uint8Array; photo: Uint8Array; fingerprints: Uint8Array | undefined } & StatusWords)
  | ({ type: 'samId'; samId: Uint8Array } & StatusWords)
  | ({ type: 'additionalAddress'; data: Uint8Array } & StatusWords)

/** SW1 SW2 SW3 Data. `cardData` with `fingerprints` set (even empty) encodes the 30 10 layout of §1.5. */
export function encodeResponseBody(response: SamResponse): Uint8Array {
  const head = [response.sw1, response.sw2, response.sw3]
  for (const [i, b] of head.entries()) {
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new TypeError(`response.sw${i + 1} must be a byte, got ${b}`)
  }
  switch (response.type) {
    case 'status':
      return Uint8Array.from(head)
    case 'findCard':
      return join(head, response.data)
    case 'selectCard':
      return join(head, response.serial)
    case 'samId':
      return join(head, response.samId)
    case 'additionalAddress':
      return join(head, response.data)
    case 'cardData': {
      const { text, photo, fingerprints } = response
      const lengths = [u16(text.length), u16(photo.length)]
      if (fingerprints !== undefined) lengths.push(u16(fingerprints.length))
      return join([...head, ...lengths.flat()], text, photo, fingerprints ?? new Uint8Array(0))
    }
  }
}

export function encodeResponse(response: SamResponse): Uint8Array {
  return encodeFrame(encodeResponseBody(response))
}

/** Host side: a reply body, read as the answer to `command`. Malformed data is `invalidData`, never a throw. */
export function decodeResponse(body: Uint8Array, command: SamCommandType): Result<SamResponse> {
  if (body.length < 3) return fail('invalidData', `reply body of ${body.length} bytes is shorter than SW1 SW2 SW3`)
  const words: StatusWords = { sw1: body[0]!, sw2: body[1]!, sw3: body[2]! }
  const data = body.slice(3)
  if (!isSamSuccess(words.sw3)) return ok({ type: 'status', ...words })
  switch (command) {
    case 'findCard':
      // §1.4 Find OK carries 4 data bytes; tolerate readers that send none.
      if (data.length !== FIND_DATA_SIZE && data.length !== 0) return badLength('find card', data.length)
      return ok({ type: 'findCard', ...words, data })
    case 'selectCard':
      if (data.length !== SELECT_DATA_SIZE && data.length !== 0) return badLength('select card', data.length)
      return ok({ type: 'selectCard', ...words, serial: data })
    case 'readSamId':
      if (data.length !== SAM_ID_SIZE) return badLength('SAM id', data.length)
      return ok({ type: 'samId', ...words, samId: data })
    case 'readAdditionalAddress':
      if (data.length !== ADDITIONAL_ADDRESS_SIZE) return badLength('additional address', data.length)
      return ok({ type: 'additionalAddress', ...words, data })
    case 'readCard':
    case 'readCardWithFingerprint':
      return decodeCardData(words, data, command === 'readCardWithFingerprint')
    default:
      return ok({ type: 'status', ...words })
  }
}

/** §1.5: `TEXT_LEN(2) PHOTO_LEN(2) [FP_LEN(2)] text photo [fp]`, lengths big-endian. */
function decodeCardData(words: StatusWords, data: Uint8Array, withFingerprint: boolean): Result<SamResponse> {
  const headerSize = withFingerprint ? 6 : 4
  if (data.length < headerSize) return badLength('card data header', data.length)
  const textLength = (data[0]! << 8) | data[1]!
  const photoLength = (data[2]! << 8) | data[3]!
  const fpLength = withFingerprint ? (data[4]! << 8) | data[5]! : 0
  if (textLength !== TEXT_SIZE) return fail('invalidData', `text length ${textLength}, expected ${TEXT_SIZE}`)
  if (photoLength !== PHOTO_SIZE) return fail('invalidData', `photo length ${photoLength}, expected ${PHOTO_SIZE}`)
  if (fpLength % FINGERPRINT_SIZE_PER_FINGER !== 0) {
    return fail('invalidData', `fingerprint length ${fpLength} is not a multiple of ${FINGERPRINT_SIZE_PER_FINGER}`)
  }
  const expected = headerSize + textLength + photoLength + fpLength
  if (data.length !== expected) return badLength('card data', data.length, expected)
  const text = data.slice(headerSize, headerSize + textLength)
  const photo = data.slice(headerSize + textLength, headerSize + textLength + photoLength)
  const fingerprints = withFingerprint ? data.slice(headerSize + textLength + photoLength) : undefined
  return ok({ type: 'cardData', ...words, text, photo, fingerprints })
}

function badLength(what: string, got: number, expected?: number) {
  const tail = expected === undefined ? '' : `, expected ${expected}`
  return fail('invalidData', `${what}: unexpected data length ${got}${tail}`)
}

function u16(n: number): [number, number] {
  if (n > 0xffff) throw new TypeError(`length ${n} does not fit 16 bits`)
  return [n >> 8, n & 0xff]
}

function join(head: number[], ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(head.length + parts.reduce((n, p) => n + p.length, 0))
  out.set(head, 0)
  let at = head.length
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

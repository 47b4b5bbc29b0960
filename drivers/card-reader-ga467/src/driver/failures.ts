import { type CardReaderFailureDetail, type DeviceFailure, fail } from '@drivers/core'
import { type SamStatusInfo, samStatus } from '../codec/index.ts'

export type ReaderFailure = { ok: false; error: DeviceFailure<CardReaderFailureDetail> }

/**
 * Maps a SAM status (§1.4) to the XFS4IoT-style completion: a generic code plus a reader detail.
 * The message carries both languages so a technician's screen and a log line can use it as is.
 */
export function failureForStatus(sw3: number): ReaderFailure {
  const info = samStatus(sw3)
  const message = `${info.en} (${info.zh}, SW3=${hex(sw3)})`
  switch (info.name) {
    case 'findCardFailed':
      return fail('commandError', message, 'noMedia')
    case 'selectCardFailed':
      return fail('commandError', message, 'mediaRemoved')
    case 'unrecognisedCardType':
      return fail('commandError', message, 'invalidMedia')
    case 'cardAuthenticateSamFailed':
    case 'samAuthenticateCardFailed':
    case 'verificationError':
      return fail('commandError', message, 'authenticationFailed')
    case 'readCardFailed':
    case 'randomNumberFailed':
    case 'noContent':
      return fail('commandError', message, 'readFailed')
    case 'checksumError':
    case 'lengthError':
    case 'commandError':
      return fail('invalidData', message, 'samError')
    default:
      return fail('hardwareError', message, 'samError')
  }
}

export function describeStatus(info: SamStatusInfo): string {
  return `${info.en} (${info.zh}, SW3=${hex(info.sw3)})`
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase()
}

import type { SmartCardFailureDetail } from '@drivers/core'

/**
 * PC/SC return codes (pcsclite.h) as the binding reports them, e.g.
 * `SCardTransmit error: Card was removed.(0x80100069)`, mapped to a failure detail.
 */
const BY_CODE: Record<number, SmartCardFailureDetail> = {
  2148532329: 'mediaRemoved', // SCARD_W_REMOVED_CARD
  2148532328: 'mediaRemoved', // SCARD_W_RESET_CARD (another party reset it, or it was re-inserted)
  2148532236: 'noMedia', // SCARD_E_NO_SMARTCARD
  2148532326: 'invalidMedia', // SCARD_W_UNRESPONSIVE_CARD
  2148532327: 'invalidMedia', // SCARD_W_UNPOWERED_CARD
  2148532325: 'invalidMedia', // SCARD_W_UNSUPPORTED_CARD
  2148532233: 'noReader', // SCARD_E_UNKNOWN_READER
  2148532247: 'noReader', // SCARD_E_READER_UNAVAILABLE
  2148532270: 'noReader', // SCARD_E_NO_READERS_AVAILABLE
  2148532253: 'serviceUnavailable', // SCARD_E_NO_SERVICE
  2148532254: 'serviceUnavailable', // SCARD_E_SERVICE_STOPPED
}

export function pcscReturnCode(message: string): number | undefined {
  const match = /\(0x([0-9a-f]{8})\)/i.exec(message)
  return match ? Number.parseInt(match[1]!, 16) : undefined
}

export function pcscFailureDetail(message: string): SmartCardFailureDetail {
  const code = pcscReturnCode(message)
  if (code !== undefined && BY_CODE[code]) return BY_CODE[code]
  if (/removed/i.test(message)) return 'mediaRemoved'
  return 'readFailed'
}

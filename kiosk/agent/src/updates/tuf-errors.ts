/** Stable codes for update verification failures (ERR_KIOSK_UPDATE_*), listed in docs/errors.md. */
export const TufErrorCodes = {
  metadataExpired: 'ERR_KIOSK_UPDATE_METADATA_EXPIRED',
  rollback: 'ERR_KIOSK_UPDATE_METADATA_ROLLBACK',
  badSignature: 'ERR_KIOSK_UPDATE_BAD_SIGNATURE',
  metadataMismatch: 'ERR_KIOSK_UPDATE_METADATA_MISMATCH',
  targetMismatch: 'ERR_KIOSK_UPDATE_TARGET_MISMATCH',
  targetNotFound: 'ERR_KIOSK_UPDATE_TARGET_NOT_FOUND',
  unreachable: 'ERR_KIOSK_UPDATE_UNREACHABLE',
  metadataInvalid: 'ERR_KIOSK_UPDATE_METADATA_INVALID',
  trustedRootMissing: 'ERR_KIOSK_UPDATE_TRUSTED_ROOT_MISSING',
} as const

export type TufErrorCode = (typeof TufErrorCodes)[keyof typeof TufErrorCodes]

export interface TufFailure {
  code: TufErrorCode
  message: string
}

/**
 * tuf-js throws plain Error subclasses without names and wraps snapshot/targets failures in a
 * RuntimeError whose message carries the cause, so the class name and the message are both read.
 */
export function classifyTufError(error: unknown, phase: 'metadata' | 'target'): TufFailure {
  const name = error instanceof Error ? error.constructor.name : ''
  const message = error instanceof Error ? error.message : String(error)
  const code = ((): TufErrorCode => {
    if (name === 'ExpiredMetadataError' || /is expired/i.test(message)) return TufErrorCodes.metadataExpired
    if (name === 'UnsignedMetadataError' || /was signed by \d+\/\d+ keys/.test(message)) {
      return TufErrorCodes.badSignature
    }
    if (/less than current version|Expected version \d+/i.test(message)) return TufErrorCodes.rollback
    if (
      name === 'LengthOrHashMismatchError' ||
      name === 'DownloadLengthMismatchError' ||
      /Expected (hash|length)|Max length reached|does(n't| not) match/i.test(message)
    ) {
      return phase === 'target' ? TufErrorCodes.targetMismatch : TufErrorCodes.metadataMismatch
    }
    if (
      name === 'DownloadHTTPError' ||
      name === 'FetchError' ||
      /Failed to download|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND/.test(message)
    ) {
      return TufErrorCodes.unreachable
    }
    return TufErrorCodes.metadataInvalid
  })()
  return { code, message }
}

/** Error codes of silences and notification settings (docs/errors.md), as HTTP bodies `{code, message}`. */
export const AlertErrorCodes = {
  silenceNotFound: 'ERR_FLEET_SILENCE_NOT_FOUND',
  silenceInvalid: 'ERR_FLEET_SILENCE_INVALID',
  silenceOutOfScope: 'ERR_FLEET_SILENCE_OUT_OF_SCOPE',
} as const

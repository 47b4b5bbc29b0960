/** Error codes of the SANE scanner service (listed in docs/errors.md). */
export const SaneErrorCodes = {
  /** scanimage (Debian sane-utils) is not installed. */
  unavailable: 'ERR_DRV_SANE_UNAVAILABLE',
  /** A second scan was started while one is running on the same service. */
  busy: 'ERR_DRV_SANE_BUSY',
} as const

/** Error codes of the PC/SC card service (listed in docs/errors.md). */
export const PcscErrorCodes = {
  /** The native PC/SC binding (@pokusew/pcsclite) or libpcsclite could not be loaded. */
  unavailable: 'ERR_DRV_PCSC_UNAVAILABLE',
  /** The card service was used before open() or after close(). */
  notOpen: 'ERR_DRV_PCSC_NOT_OPEN',
} as const

/** Error codes of the HID transport (listed in docs/errors.md). */
export const HidErrorCodes = {
  /** node-hid or its system libraries could not be loaded. */
  unavailable: 'ERR_DRV_HID_UNAVAILABLE',
  /** The HID device could not be opened (missing, busy, or no permission on /dev/hidraw*). */
  openFailed: 'ERR_DRV_HID_OPEN_FAILED',
} as const

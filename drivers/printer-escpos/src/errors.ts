/** ERR_DRV_* codes of the printer packages (listed in docs/errors.md). */
export const PrinterErrorCodes = {
  /** print()/refreshStatus() called before open() or after close(). */
  notOpen: 'ERR_DRV_PRINTER_NOT_OPEN',
  /** The emulator's PNG renderer needs Debian fonts-noto-cjk. */
  fontMissing: 'ERR_DRV_PRINTER_FONT_MISSING',
  /** npm `usb` (WebUSB for USB printer-class devices) failed to load. */
  usbUnavailable: 'ERR_DRV_USB_UNAVAILABLE',
} as const
export type PrinterErrorCode = (typeof PrinterErrorCodes)[keyof typeof PrinterErrorCodes]

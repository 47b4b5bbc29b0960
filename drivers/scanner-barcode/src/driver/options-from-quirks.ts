import type { BarcodeScannerQuirks } from '@drivers/core'
import { hexToBytes } from '../codec/index.ts'
import type { BarcodeScannerDriverOptions } from './barcode-scanner-driver.ts'

/**
 * A registry entry's `quirks.barcode` → driver options (everything but the transport). Hex fields
 * become bytes; a bad hex string throws TypeError naming the quirk. `hidPosEnableFeature` is not
 * applied here: the HID transport has no feature-report call yet (program the scanner for HID POS).
 */
export function driverOptionsFromQuirks(
  quirks: BarcodeScannerQuirks,
): Omit<BarcodeScannerDriverOptions, 'openTransport'> {
  const options: Omit<BarcodeScannerDriverOptions, 'openTransport'> = { mode: quirks.mode }
  if (quirks.mode === 'serial') {
    options.serial = {
      suffix: hexToBytes(quirks.suffixHex ?? '0d', 'quirks.barcode.suffixHex'),
      ...(quirks.prefixHex ? { prefix: hexToBytes(quirks.prefixHex, 'quirks.barcode.prefixHex') } : {}),
      ...(quirks.aimIdPrefix ? { aimIdPrefix: true } : {}),
    }
  }
  if (quirks.triggerStartHex)
    options.triggerStart = hexToBytes(quirks.triggerStartHex, 'quirks.barcode.triggerStartHex')
  if (quirks.triggerStopHex) options.triggerStop = hexToBytes(quirks.triggerStopHex, 'quirks.barcode.triggerStopHex')
  if (quirks.encoding) options.encoding = quirks.encoding
  if (quirks.keyboardLayout) options.keyboardLayout = quirks.keyboardLayout
  return options
}

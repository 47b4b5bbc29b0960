import { type DriverFactory, requireAddress } from '@drivers/core'
import { BarcodeScannerDriver } from './barcode-scanner-driver.ts'
import { driverOptionsFromQuirks } from './options-from-quirks.ts'
import { hidScannerTransport, serialScannerTransport } from './scanner-transports.ts'

/** Barcode/QR scanners: `hid:…` addresses are keyboard-wedge or HID POS, anything else a serial port or `tcp://`. */
export const driverFactory: DriverFactory = (context) => {
  const { model, baudRate, logger } = context
  const address = requireAddress(context)
  const hid = address.startsWith('hid:')
  const quirks = model.quirks.barcode ?? { mode: hid ? 'hidKeyboard' : 'serial' }
  const openTransport = hid
    ? hidScannerTransport(
        address.slice(4),
        model.quirks.hidReportSize ? { reportSize: model.quirks.hidReportSize } : {},
      )
    : serialScannerTransport(address, baudRate ?? model.defaults.baudRate ?? 9600)
  const scanner = new BarcodeScannerDriver({
    ...driverOptionsFromQuirks(quirks),
    openTransport,
    logger,
    description: address,
  })
  return { device: scanner, open: () => scanner.open(), close: () => scanner.close() }
}

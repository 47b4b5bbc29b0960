import { type DriverFactory, requireAddress, type Transport } from '@drivers/core'
import { openTransportFor } from '@drivers/transport-serial'
import { profileFromQuirks } from '../codec/profile-from-quirks.ts'
import { testReceipt } from '../test-receipt.ts'
import { EscPosPrinter } from './escpos-printer.ts'
import { UsbPrinterTransport } from './usb-printer-transport.ts'

/** `usb:04b8:0202` is a USB printer-class device; anything else a serial path or tcp://host:port. */
function receiptTransport(address: string, baudRate: number): Transport {
  const usb = /^usb:([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(address)
  if (usb?.[1] && usb[2]) {
    return new UsbPrinterTransport({ vendorId: Number.parseInt(usb[1], 16), productId: Number.parseInt(usb[2], 16) })
  }
  return openTransportFor(address, { baudRate })
}

/**
 * ESC/POS receipt printers: the model's `quirks.escpos` is the print profile, its `update` what
 * settings and firmware it takes (the same contract artifact uploads are checked against).
 */
export const driverFactory: DriverFactory = (context) => {
  const { model, baudRate, logger } = context
  const quirks = model.quirks.escpos
  const rollLengthMm = context.rollLengthMm ?? model.defaults.rollLengthMm
  const printer = new EscPosPrinter({
    ...(rollLengthMm === undefined ? {} : { rollLengthMm }),
    transport: receiptTransport(requireAddress(context), baudRate ?? model.defaults.baudRate ?? 115200),
    logger,
    ...(quirks ? { profile: profileFromQuirks(quirks) } : {}),
    ...(model.update ? { update: model.update } : {}),
  })
  return {
    device: printer,
    open: () => printer.open(),
    close: () => printer.close(),
    selfTest: () => printer.refreshStatus(),
    printTestPage: () => printer.print(testReceipt({ printedAt: new Date() })),
  }
}

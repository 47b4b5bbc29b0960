import type { DeviceDefinition } from '../definition.ts'
import { escposConfigSchema } from '../update-schemas.ts'

/**
 * Seiko Epson TM receipt printers (ESC/POS is Epson's language). USB printer-class devices
 * (interface class 7, bidirectional): on Linux the usblp driver or libusb, through printer-escpos's
 * UsbPrinterTransport. Chinese (GB18030) printing needs the Simplified Chinese model of each printer.
 */
export const definitions: DeviceDefinition[] = [
  {
    id: 'epson-tm-t88v',
    deviceClass: 'receiptPrinter',
    vendor: 'Epson',
    model: 'TM-T88V (USB id shared with TM-T70 and other TM models)',
    driver: 'printer-escpos',
    // 04b8:0202 is listed for Epson TM-T70/TM-T88V in odoo hw_escpos supported_devices.py and python-escpos examples.
    match: [{ usbVendorId: 0x04b8, usbProductId: 0x0202 }],
    transport: 'usb',
    defaults: {},
    quirks: {
      escpos: {
        paperWidthMm: 80,
        dotsPerLine: 512,
        dotsPerMm: 7.09,
        chineseMode: 'command',
        cutter: 'partial',
        feedBeforeCutLines: 0,
        automaticStatusBack: true,
        clearBuffersCommand: true,
      },
    },
    notes:
      'TM-T88V: 180 dpi head, 512 dots (42 font-A columns) across 80 mm paper, per Epson specifications. ' +
      'GS V 66 feeds to the cutter itself, so no extra feed. Settings: GS ( E (speed levels 1–13). Firmware: ' +
      'Epson flashes with its own closed utility; `firmware: true` means our emulated bootloader convention ' +
      '(printer-escpos firmware/bootloader.ts), which the emulator implements.',
    update: {
      configSchema: escposConfigSchema({ maxPrintSpeed: 13 }),
      firmware: true,
      hwRevisions: ['M244A'],
    },
  },
  {
    id: 'epson-tm-t20ii',
    deviceClass: 'receiptPrinter',
    vendor: 'Epson',
    model: 'TM-T20II',
    driver: 'printer-escpos',
    // 04b8:0e15 from odoo hw_escpos supported_devices.py.
    match: [{ usbVendorId: 0x04b8, usbProductId: 0x0e15 }],
    transport: 'usb',
    defaults: {},
    quirks: {
      escpos: {
        paperWidthMm: 80,
        chineseMode: 'command',
        cutter: 'partial',
        feedBeforeCutLines: 0,
        automaticStatusBack: true,
      },
    },
    notes:
      'USB id from odoo; DLE DC4 fn 8 and ASB per the Epson ESC/POS reference, not verified on this unit. ' +
      'Settings: GS ( E (speed levels 1–5); firmware: our emulated bootloader convention, as for the TM-T88V.',
    update: {
      configSchema: escposConfigSchema({ maxPrintSpeed: 5 }),
      firmware: true,
      hwRevisions: ['M267A'],
    },
  },
]

import type { DeviceDefinition } from '../definition.ts'
import { escposConfigSchema } from '../update-schemas.ts'

/**
 * Xprinter (芯烨, Zhuhai) and Gprinter (佳博, Zhuhai): Chinese-market 58 mm receipt printers, USB
 * printer class. Chinese mode is on at power-up (device-protocols.md §2.2); they answer DLE EOT but
 * do not document Automatic Status Back or DLE DC4, so the driver polls and cannot clear buffers.
 */
export const definitions: DeviceDefinition[] = [
  {
    id: 'xprinter-xp-t58h',
    deviceClass: 'receiptPrinter',
    vendor: 'Xprinter (芯烨)',
    model: 'XP-T58H',
    driver: 'printer-escpos',
    // Descriptor dump in sintrb/USB-Printer-Descriptors: 0483:5743, "Xprinter" / "USB Printer P",
    // printer class 7/1/2, bulk OUT 0x02, bulk IN 0x81.
    match: [{ usbVendorId: 0x0483, usbProductId: 0x5743 }],
    transport: 'usb',
    defaults: {},
    quirks: {
      escpos: {
        paperWidthMm: 58,
        chineseMode: 'alwaysOn',
        cutter: 'none',
        automaticStatusBack: false,
        clearBuffersCommand: false,
        rasterBandRows: 64,
      },
    },
    notes:
      'The USB vendor id is STMicroelectronics’ (the controller maker); other STM-based devices may reuse 5743. ' +
      'Status support beyond DLE EOT is not verified. Updates: GS ( E settings (speed levels 1–5 assumed) and ' +
      'firmware through our emulated bootloader convention (printer-escpos firmware/bootloader.ts); the vendor ' +
      'tool is closed, so neither is verified on a unit.',
    update: {
      configSchema: escposConfigSchema({ maxPrintSpeed: 5 }),
      firmware: true,
      hwRevisions: ['A', 'B'],
    },
  },
  {
    id: 'gprinter-gp-58mbiii',
    deviceClass: 'receiptPrinter',
    vendor: 'Gprinter (佳博)',
    model: 'GP-58MBIII+',
    driver: 'printer-escpos',
    // Descriptor dump in sintrb/USB-Printer-Descriptors: 6868:0200, "GPrinter" / "GP-58", printer class 7/1/2.
    match: [{ usbVendorId: 0x6868, usbProductId: 0x0200 }],
    transport: 'usb',
    defaults: {},
    quirks: {
      escpos: {
        paperWidthMm: 58,
        chineseMode: 'alwaysOn',
        cutter: 'none',
        automaticStatusBack: false,
        clearBuffersCommand: false,
      },
    },
    notes: 'Status support beyond DLE EOT is not verified. Settings through GS ( E assumed (speed levels 1–5).',
    update: {
      configSchema: escposConfigSchema({ maxPrintSpeed: 5 }),
      hwRevisions: ['V3'],
    },
  },
]

import type { DeviceDefinition } from '../definition.ts'
import { honeywellScannerConfigSchema } from '../update-schemas.ts'

/**
 * Honeywell barcode/QR scanners (Voyager, Xenon). USB models enumerate with a different product id
 * per interface mode (keyboard wedge, HID POS, USB serial), so each mode is its own definition.
 */
export const definitions: DeviceDefinition[] = [
  {
    id: 'honeywell-voyager-1400g-hid-pos',
    deviceClass: 'barcodeScanner',
    vendor: 'Honeywell',
    model: 'Voyager 1400g (HID POS mode)',
    driver: 'scanner-barcode',
    // 0c2e:0b8f is the device filter of NielsLeenheer/WebHidBarcodeScanner ("Honeywell Voyager 1400g").
    match: [{ usbVendorId: 0x0c2e, usbProductId: 0x0b8f }],
    transport: 'hid',
    defaults: {},
    quirks: {
      hidReportSize: 64,
      barcode: { mode: 'hidPos', hidPosEnableFeature: 'fe:01', triggerStartHex: 'fd0316540d' },
    },
    notes:
      'HID POS report 0x02 as read by WebHidBarcodeScanner (device-protocols.md §3.2); feature report 0xFE = 01 ' +
      'switches the scanner to HID POS; the trigger output report FD 03 16 54 0D is from HenkVanAsselt/python_hon_usbhid. ' +
      'Not verified on this unit.',
  },
  {
    id: 'honeywell-usb-keyboard-wedge',
    deviceClass: 'barcodeScanner',
    vendor: 'Honeywell',
    model: 'USB scanner in keyboard-wedge mode (Voyager/Xenon family)',
    driver: 'scanner-barcode',
    // 0c2e:1001 "USB Scanner (Honeywell)" is the device the Ultibo HID keyboard scanner driver targets.
    match: [{ usbVendorId: 0x0c2e, usbProductId: 0x1001 }],
    transport: 'hid',
    defaults: {},
    quirks: { hidReportSize: 8, barcode: { mode: 'hidKeyboard', keyboardLayout: 'us' } },
    notes:
      'Keyboard wedge: Chinese QR payloads cannot be typed (§3.1); program the scanner for HID POS or USB serial ' +
      'for those. The product id is the one public driver code probes for; not verified on hardware.',
  },
  {
    id: 'honeywell-xenon-1900-rs232',
    deviceClass: 'barcodeScanner',
    vendor: 'Honeywell',
    model: 'Xenon 1900 (RS-232, manual trigger)',
    driver: 'scanner-barcode',
    match: [],
    transport: 'serial',
    defaults: { baudRate: 9600 },
    quirks: {
      barcode: {
        mode: 'serial',
        suffixHex: '0d',
        aimIdPrefix: true,
        triggerStartHex: '16540d',
        triggerStopHex: '16550d',
      },
    },
    notes:
      'Serial trigger SYN T CR / SYN U CR from the Honeywell N86 manual (device-protocols.md §3.3). The AIM prefix and ' +
      'CR suffix must be programmed on the scanner (Honeywell menu codes), as this entry assumes. Config: beeper and ' +
      'beeper volume as menu commands (BEPBEP, BEPLVL), saved in flash.',
    update: { configSchema: honeywellScannerConfigSchema() },
  },
]

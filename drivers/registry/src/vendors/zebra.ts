import type { DeviceDefinition } from '../definition.ts'

/** Zebra (formerly Motorola/Symbol) handheld scanners. */
export const definitions: DeviceDefinition[] = [
  {
    id: 'zebra-ds2208-keyboard-wedge',
    deviceClass: 'barcodeScanner',
    vendor: 'Zebra (Symbol)',
    model: 'DS2208 / LS2208 in HID keyboard emulation',
    driver: 'scanner-barcode',
    // 05e0:1200 is Symbol's "HID Keyboard Emulation" product id (Dar-Ko/babylonlib UsbVid05E0.h, MS4407KBD);
    // Symbol scanners of later series keep the id in that mode.
    match: [{ usbVendorId: 0x05e0, usbProductId: 0x1200 }],
    transport: 'hid',
    defaults: {},
    quirks: { hidReportSize: 8, barcode: { mode: 'hidKeyboard', keyboardLayout: 'us' } },
    notes:
      'Product id per interface mode as in the Symbol integration guides quoted by babylonlib; that the DS2208 keeps ' +
      '05e0:1200 in keyboard mode is not verified on a unit here.',
  },
]

import type { DeviceDefinition } from '../definition.ts'

/** Grow (GM65/GM812) embedded QR scan modules, common inside Chinese self-service kiosks. */
export const definitions: DeviceDefinition[] = [
  {
    id: 'grow-gm65',
    deviceClass: 'barcodeScanner',
    vendor: 'Grow',
    model: 'GM65 / GM812 scan module (UART, command-triggered)',
    driver: 'scanner-barcode',
    match: [],
    transport: 'serial',
    defaults: { baudRate: 9600 },
    quirks: {
      barcode: { mode: 'serial', suffixHex: '0d', triggerStartHex: '7e000801000201abcd', encoding: 'utf-8' },
    },
    notes:
      '9600 8N1, CR suffix, single-scan command 7E 00 08 01 00 02 01 AB CD (device-protocols.md §3.3, from ' +
      'saadimalik211/cv-scanner serialdoc.md). Wired to a UART, so chosen by configuration, not by USB id.',
  },
]

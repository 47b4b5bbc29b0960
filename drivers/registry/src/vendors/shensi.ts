import type { DeviceDefinition } from '../definition.ts'

/** Shensi (神思电子, Jinan): desktop second-generation ID-card readers. */
export const definitions: DeviceDefinition[] = [
  {
    id: 'shensi-ss628',
    deviceClass: 'idCardReader',
    vendor: 'Shensi (神思)',
    model: 'SS628-100 series',
    driver: 'card-reader-ga467',
    // USB\VID_0400&PID_C35A is what public kiosk code probes for to pick the Shensi "StandardDll".
    match: [{ usbVendorId: 0x0400, usbProductId: 0xc35a }],
    transport: 'hid',
    defaults: { baudRate: 115200 },
    quirks: { hidWrapper: 'miaxis', removalProbe: 'select', pollIntervalMs: 500 },
    notes:
      'USB id from public kiosk code that detects this reader; the HID wrapper layout is the Miaxis one ' +
      'of device-protocols.md §1.1 and is not verified on this model.',
  },
]

import type { DeviceDefinition } from '../definition.ts'

/** Yishu (亿数): desktop ID-card readers. */
export const definitions: DeviceDefinition[] = [
  {
    id: 'yishu-idcard-reader',
    deviceClass: 'idCardReader',
    vendor: 'Yishu (亿数)',
    model: 'USB ID-card reader',
    driver: 'card-reader-ga467',
    // USB\VID_9573&PID_4836 is probed by public kiosk code to pick the Yishu SDK.
    match: [{ usbVendorId: 0x9573, usbProductId: 0x4836 }],
    transport: 'hid',
    defaults: { baudRate: 115200 },
    quirks: { hidWrapper: 'miaxis', removalProbe: 'select', pollIntervalMs: 500 },
    notes: 'USB id from public kiosk code; model name and HID wrapper not verified on hardware.',
  },
]

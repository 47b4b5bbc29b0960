import type { DeviceDefinition } from '../definition.ts'

/** Bare SAM_V modules wired to a kiosk UART (no USB id: chosen by the kiosk's device config). */
export const definitions: DeviceDefinition[] = [
  {
    id: 'generic-sam-v-uart',
    deviceClass: 'idCardReader',
    vendor: 'generic',
    model: 'SAM_V module on a UART (GA 467)',
    driver: 'card-reader-ga467',
    match: [],
    transport: 'serial',
    defaults: { baudRate: 115200 },
    quirks: { removalProbe: 'select', pollIntervalMs: 500 },
    notes: '8N1 at 115200 by default; 57600, 38400, 19200 and 9600 can be set (device-protocols.md §1.1).',
  },
]

import type { DeviceDefinition, DeviceQuirks } from '@drivers/core'

export type {
  DeviceDefinition,
  DeviceQuirks,
  DeviceTransportKind,
  DeviceUpdateSupport,
  UsbMatcher,
} from '@drivers/core'

export const QUIRK_KEYS: readonly (keyof DeviceQuirks)[] = [
  'hidWrapper',
  'hidReportSize',
  'pollIntervalMs',
  'removalProbe',
  'genericUsbBridge',
  'escpos',
  'barcode',
]

/** The vendor id used for update permissions and TUF paths: the first segment of the definition id. */
export function vendorIdOf(definition: Pick<DeviceDefinition, 'id'>): string {
  return definition.id.split('-')[0] as string
}

/** What discovery knows about a port (serialport's PortInfo or a HID device). */
export interface PortInfo {
  path?: string
  /** Hex string (serialport) or number (node-hid). */
  vendorId?: string | number
  productId?: string | number
}

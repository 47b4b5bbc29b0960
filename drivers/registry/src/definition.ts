import type { BarcodeScannerQuirks, DeviceClass, ReceiptPrinterQuirks } from '@drivers/core'

/** How the kiosk talks to the device. */
export type DeviceTransportKind = 'serial' | 'hid' | 'usb' | 'tcp' | 'ipp' | 'sane' | 'pcsc'

/** USB ids a definition claims; lookups match both. */
export interface UsbMatcher {
  usbVendorId: number
  usbProductId: number
}

/**
 * Device-specific behaviour as flags, not forks (zigbee-herdsman-converters' `meta`). Each flag
 * is read by the driver named in `driver`; unknown keys fail validation so typos are caught.
 */
export interface DeviceQuirks {
  /** GA 467 over HID: which vendor wrapper carries the SAM frames. */
  hidWrapper?: 'miaxis'
  /** HID report payload size when it is not 64. */
  hidReportSize?: number
  /** Card polling interval the vendor recommends (the protocol wants > 300 ms). */
  pollIntervalMs?: number
  /** How card removal is seen after a read halts the card: by probing `select`. */
  removalProbe?: 'select'
  /** The USB id belongs to a generic USB-serial bridge, so it also matches other products. */
  genericUsbBridge?: boolean
  /** ESC/POS receipt printers: paper width, Chinese mode, cutter, status support (printer-escpos). */
  escpos?: ReceiptPrinterQuirks
  /** Barcode/QR scanners: mode, serial framing, triggers, keyboard layout (scanner-barcode). */
  barcode?: BarcodeScannerQuirks
}

export const QUIRK_KEYS: readonly (keyof DeviceQuirks)[] = [
  'hidWrapper',
  'hidReportSize',
  'pollIntervalMs',
  'removalProbe',
  'genericUsbBridge',
  'escpos',
  'barcode',
]

/** What updates a model takes (issue #8). Absent: neither firmware nor configuration updates. */
export interface DeviceUpdateSupport {
  /** JSON Schema (ajv, draft-07) of the configuration the driver's `applyConfig` accepts. */
  configSchema?: Record<string, unknown>
  /** Whether the driver can flash firmware (`updateFirmware`). */
  firmware?: boolean
  /** Hardware revisions the vendor ships; a firmware artifact's compatibility names some of these. */
  hwRevisions?: string[]
}

/** One device model, as data. */
export interface DeviceDefinition {
  /** Stable id, `<vendor>-<model>` in kebab-case. */
  id: string
  deviceClass: DeviceClass
  vendor: string
  model: string
  /** Which driver package speaks its protocol, e.g. `card-reader-ga467`. */
  driver: string
  /** USB ids; empty for devices wired to a plain UART and chosen by configuration. */
  match: UsbMatcher[]
  transport: DeviceTransportKind
  defaults: { baudRate?: number }
  quirks: DeviceQuirks
  /** Where the facts come from, and what is not verified on hardware. */
  notes?: string
  update?: DeviceUpdateSupport
}

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

import type { BarcodeScannerQuirks } from './barcode-reader.ts'
import type { DeviceClass } from './device-status.ts'
import type { ReceiptPrinterQuirks } from './printer.ts'

/** How the kiosk talks to the device. */
export type DeviceTransportKind = 'serial' | 'hid' | 'usb' | 'tcp' | 'ipp' | 'sane' | 'pcsc'

/** USB ids a definition claims; lookups match both. */
export interface UsbMatcher {
  usbVendorId: number
  usbProductId: number
  /** Where the id comes from (a driver, a descriptor dump). */
  source?: string
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

/** What updates a model takes. Absent: neither firmware nor configuration updates. */
export interface DeviceUpdateSupport {
  /** JSON Schema (ajv, draft-07) of the configuration the driver's `applyConfig` accepts. */
  configSchema?: Record<string, unknown>
  /** Whether the driver can flash firmware (`updateFirmware`). */
  firmware?: boolean
  /** Hardware revisions the vendor ships; a firmware artifact's compatibility names some of these. */
  hwRevisions?: string[]
}

/**
 * One device model, as data: a JSON file under drivers/registry/models/<vendor>/ (validated by
 * drivers/registry/models/model.schema.json). The kiosk config names it by `id`; `driver` picks
 * the driver factory that opens it.
 */
export interface DeviceDefinition {
  /** Stable id, `<vendor>-<model>` in kebab-case (the file models/<vendor>/<model>.json). */
  id: string
  deviceClass: DeviceClass
  vendor: string
  model: string
  /** Which driver package speaks its protocol, e.g. `card-reader-ga467`. */
  driver: string
  /** USB ids; empty for devices wired to a plain UART and chosen by configuration. */
  match: UsbMatcher[]
  transport: DeviceTransportKind
  defaults: {
    baudRate?: number
    /** Receipt printers: the length of a full paper roll of this model, mm (the paper-left estimate). */
    rollLengthMm?: number
    /** A4 printers: the sheets this model's trays hold when filled (the paper-left estimate). */
    trayCapacitySheets?: number
  }
  quirks: DeviceQuirks
  /** Where the facts come from, and what is not verified on hardware. */
  notes?: string
  update?: DeviceUpdateSupport
}

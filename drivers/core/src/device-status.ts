/**
 * Device status vocabulary, borrowed from XFS4IoT (Common.Status.device) and its classes.
 * The MQTT contract in protocol/ mirrors these literals; kiosk/agent asserts they agree at compile time.
 */
export type DeviceState = 'online' | 'offline' | 'powerOff' | 'noDevice' | 'hardwareError' | 'userError' | 'busy'

export type DeviceClass =
  | 'idCardReader'
  | 'receiptPrinter'
  | 'documentPrinter'
  | 'barcodeScanner'
  | 'documentScanner'
  | 'smartCardReader'
  | 'camera'

export type PaperState = 'full' | 'low' | 'out' | 'jammed' | 'unknown'
export type CoverState = 'closed' | 'open' | 'unknown'
export type MediaState = 'present' | 'notPresent' | 'jammed' | 'unknown'

/** What a peripheral says about itself now. Class-specific fields are optional. */
export interface DeviceStatus {
  state: DeviceState
  paper?: PaperState
  cover?: CoverState
  media?: MediaState
  /** Stable code of the last error (e.g. `samFault`, `cutterError`), absent when healthy. */
  errorCode?: string
}

/** Identity of a peripheral as reported in a kiosk's birth inventory. */
export interface DeviceIdentity {
  deviceClass: DeviceClass
  vendor: string
  model: string
  /** The registry model id (`xprinter-xp-t58h`), when the device is a registry model; its first segment is the vendor id. */
  modelId?: string
  serial: string
  firmware: string
  /** Hardware revision, where known (the device label or the driver); firmware compatibility names these. */
  hwRevision?: string
}

/** Monotonic counters a device service keeps for health reports (reads, jobs, discarded bytes...). */
export type DeviceCounters = Record<string, number>

export function sameStatus(a: DeviceStatus, b: DeviceStatus): boolean {
  return (
    a.state === b.state &&
    a.paper === b.paper &&
    a.cover === b.cover &&
    a.media === b.media &&
    a.errorCode === b.errorCode
  )
}

/** A status change is urgent when it stops a citizen service: report at once, never on the next period. */
export function isUrgentChange(previous: DeviceStatus, next: DeviceStatus): boolean {
  if (previous.state !== next.state && next.state !== 'busy' && previous.state !== 'busy') return true
  return next.paper !== previous.paper && (next.paper === 'out' || next.paper === 'jammed')
}

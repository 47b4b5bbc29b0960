import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import type { Result } from './result.ts'

/**
 * The barcode/QR scanner device class (XFS4IoT BarcodeReader vocabulary, borrowed not copied).
 * Protocol drivers (HID keyboard wedge, HID POS, serial) implement `BarcodeReader`; the kiosk agent
 * only sees this. Scanned content may be personal (health codes, QR payloads with ID numbers):
 * hold it for the session, never log it.
 */

/** Symbology names, camelCase (XFS4IoT BarcodeReader symbologies, trimmed); `unknown` when the scanner did not say. */
export type BarcodeSymbology =
  | 'qrCode'
  | 'dataMatrix'
  | 'pdf417'
  | 'aztec'
  | 'code128'
  | 'gs1128'
  | 'code39'
  | 'code93'
  | 'codabar'
  | 'ean13'
  | 'ean8'
  | 'upcA'
  | 'upcE'
  | 'interleaved2of5'
  | 'gs1DataBar'
  | 'hanXin'
  | 'unknown'

export interface BarcodeScan {
  /** Decoded text, UTF-8 (or the configured encoding) decoded: Chinese payloads intact. */
  data: string
  symbology: BarcodeSymbology
  /** AIM symbology identifier as sent (`]Q1`), when the scanner sent one. */
  aimId?: string
}

/** How a scanner talks to the host. */
export type BarcodeScannerMode = 'hidKeyboard' | 'hidPos' | 'serial'

/** Why a scanner operation failed, beside the generic completion code. */
export type BarcodeReaderFailureDetail = 'notEnabled' | 'noResponse' | 'triggerUnsupported' | 'disconnected'

export interface BarcodeReaderEvents extends Record<string, unknown[]> {
  scanned: [scan: BarcodeScan]
  statusChanged: [next: DeviceStatus, previous: DeviceStatus]
}

export interface BarcodeReader {
  readonly description: string
  readonly mode: BarcodeScannerMode
  open(): Promise<void>
  close(): Promise<void>
  getStatus(): DeviceStatus
  /** scans, discarded bytes/reports, disconnects, reconnects... */
  getCounters(): DeviceCounters
  /** Starts emitting `scanned` (scans while disabled are counted and dropped). */
  enable(): Promise<Result<void, BarcodeReaderFailureDetail>>
  disable(): Promise<Result<void, BarcodeReaderFailureDetail>>
  readonly enabled: boolean
  /** Manual-trigger models: start a scan (`unsupported` where the model has no trigger command). */
  trigger(): Promise<Result<void, BarcodeReaderFailureDetail>>
  on<K extends keyof BarcodeReaderEvents>(event: K, listener: (...args: BarcodeReaderEvents[K]) => void): () => void
}

/**
 * Per-model scanner differences a registry entry carries (`quirks.barcode`); the barcode driver turns
 * them into its options.
 */
export interface BarcodeScannerQuirks {
  mode: BarcodeScannerMode
  /** Serial: bytes that end a scan, as a hex string (`0d`, `0d0a`, `09`). Default `0d`. */
  suffixHex?: string
  /** Serial: bytes the scanner puts before each scan (hex), stripped. */
  prefixHex?: string
  /** Serial: the scanner prepends the 3-character AIM identifier. */
  aimIdPrefix?: boolean
  /** Serial: command bytes (hex) that start / stop a manual-trigger scan. */
  triggerStartHex?: string
  triggerStopHex?: string
  /** Serial: text encoding of the payload. Default utf-8. */
  encoding?: 'utf-8' | 'gbk' | 'gb18030'
  /** HID POS: vendor feature report that switches the scanner to HID POS (`fe:01` = report 0xFE, data 01). */
  hidPosEnableFeature?: string
  /** HID keyboard: the layout the scanner is programmed for. */
  keyboardLayout?: 'us' | 'de'
}

import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import type { Result } from './result.ts'

/**
 * The document scanner device class (flatbed and ADF; XFS4IoT vocabulary borrowed). Scanned pages
 * are personal documents: the driver writes them where it is told and never logs their content.
 */

export type ScanMode = 'color' | 'gray' | 'lineart'
export type ScanFormat = 'png' | 'pdf' | 'jpeg' | 'tiff' | 'pnm'
export type ScanSource = 'flatbed' | 'adf'

/** Why a scan failed, beside the generic completion code (SANE statuses, named). */
export type DocumentScannerFailureDetail =
  | 'mediaJam'
  | 'noMedia'
  | 'coverOpen'
  | 'deviceBusy'
  | 'ioError'
  | 'noDevice'
  | 'accessDenied'
  | 'invalidOption'
  | 'canceled'

export interface ScannerDevice {
  /** Backend device name, e.g. `test:0`, `genesys:libusb:001:004`. */
  name: string
  vendor: string
  model: string
  type: string
}

export interface ScanOptions {
  mode?: ScanMode
  /** dpi; always set (SANE backends may otherwise scan a 1×1 image). Default 150. */
  resolution?: number
  format?: ScanFormat
  source?: ScanSource
  /** ADF: pages to scan at most (default: until the feeder is empty). */
  maxPages?: number
  signal?: AbortSignal
}

export interface ScannedPage {
  /** File written. */
  path: string
  bytes: number
}

export interface ScanOutcome {
  /** Files written: one per page, except a PDF batch, which scanimage writes as one multi-page file. */
  pages: ScannedPage[]
  /** Pages the scanner fed. */
  pageCount: number
  durationMs: number
}

export interface DocumentScannerEvents extends Record<string, unknown[]> {
  statusChanged: [next: DeviceStatus, previous: DeviceStatus]
  pageScanned: [page: ScannedPage]
}

export interface DocumentScanner {
  readonly description: string
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  listDevices(): Promise<Result<ScannerDevice[], DocumentScannerFailureDetail>>
  /**
   * Scans one page (flatbed) or a batch (ADF) into `outPattern` (`page.png`, or `page-%d.png` for a
   * batch). Jams, an empty feeder and an open cover are results that also set the status.
   */
  scan(outPattern: string, options?: ScanOptions): Promise<Result<ScanOutcome, DocumentScannerFailureDetail>>
  /** Cancels the scan in progress (its result is `canceled`). */
  cancel(): void
  on<K extends keyof DocumentScannerEvents>(event: K, listener: (...args: DocumentScannerEvents[K]) => void): () => void
}

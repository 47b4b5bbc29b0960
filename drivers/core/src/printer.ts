import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import type { ReceiptDocument } from './receipt.ts'
import type { Result } from './result.ts'

/**
 * Printer device classes (XFS4IoT Printer vocabulary, borrowed not copied): receipt printers take a
 * ReceiptDocument, document (A4) printers take a finished PDF.
 */

/** Why a print job did not print, beside the generic completion code. */
export type PrinterFailureDetail =
  | 'paperOut'
  | 'coverOpen'
  | 'paperJam'
  | 'cutterError'
  | 'offline'
  | 'headError'
  | 'noResponse'
  | 'jobAborted'
  | 'rejected'

export interface PrintedReceipt {
  /** Driver-local job number. */
  jobId: number
  bytes: number
  /** Text lines printed (after wrapping estimate). */
  lines: number
  /** Estimated paper used, mm. */
  paperMm: number
  cuts: number
  durationMs: number
}

export interface PrinterEvents extends Record<string, unknown[]> {
  statusChanged: [next: DeviceStatus, previous: DeviceStatus]
}

export interface ReceiptPrinter {
  readonly description: string
  open(): Promise<void>
  close(): Promise<void>
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  /** Asks the printer now (real-time status); an unanswered query is a `timeout` result. */
  refreshStatus(): Promise<Result<DeviceStatus, PrinterFailureDetail>>
  /**
   * Prints one receipt; one job at a time. Refused (`deviceNotReady`) when paper is out or the cover
   * is open; `hardwareError`/`paperOut` when the paper runs out before the job finished.
   */
  print(document: ReceiptDocument): Promise<Result<PrintedReceipt, PrinterFailureDetail>>
  on<K extends keyof PrinterEvents>(event: K, listener: (...args: PrinterEvents[K]) => void): () => void
}

export type DocumentJobState =
  | 'pending'
  | 'pendingHeld'
  | 'processing'
  | 'processingStopped'
  | 'canceled'
  | 'aborted'
  | 'completed'

export interface PrintedDocument {
  jobId: number
  state: DocumentJobState
  /** Printer-reported job-state-reasons, e.g. `job-completed-successfully`. */
  reasons: string[]
  durationMs: number
}

export interface DocumentPrintOptions {
  /** Job name shown in the printer queue; never personal data. */
  jobName: string
  copies?: number
  /** Wait for the job to reach a terminal state (default true). */
  waitForCompletion?: boolean
  signal?: AbortSignal
}

export interface DocumentPrinter {
  readonly description: string
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  refreshStatus(): Promise<Result<DeviceStatus, PrinterFailureDetail>>
  printPdf(pdf: Uint8Array, options: DocumentPrintOptions): Promise<Result<PrintedDocument, PrinterFailureDetail>>
  on<K extends keyof PrinterEvents>(event: K, listener: (...args: PrinterEvents[K]) => void): () => void
}

/**
 * Per-model ESC/POS differences a registry entry carries (`quirks.escpos`); the receipt driver
 * turns them into its profile. Omitted fields take the generic profile of the paper width.
 */
export interface ReceiptPrinterQuirks {
  paperWidthMm: 58 | 80
  /** Printable dots per line when the head is not the generic 203 dpi one (TM-T88V: 512 at 180 dpi). */
  dotsPerLine?: number
  dotsPerMm?: number
  /** `command`: wrap Chinese in FS & … FS .; `alwaysOn`: the model is always in Chinese mode. */
  chineseMode?: 'command' | 'alwaysOn'
  /** FS C n after ESC @, for models that need their code system chosen. */
  codeSystem?: number
  encoding?: 'gb18030' | 'gbk'
  cutter?: 'full' | 'partial' | 'none'
  feedBeforeCutLines?: number
  qrCode?: boolean
  rasterBandRows?: number
  realtimeStatus?: boolean
  automaticStatusBack?: boolean
  clearBuffersCommand?: boolean
}

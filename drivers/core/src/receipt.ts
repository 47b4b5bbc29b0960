/**
 * The receipt document model: what a kiosk asks a receipt printer to print, independent of the
 * printer language. ESC/POS drivers render it to bytes; other drivers could render it to raster.
 */

export type ReceiptAlign = 'left' | 'center' | 'right'

/** Character magnification, 1–8 in each direction (ESC/POS GS ! n). */
export type CharScale = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8

export interface ReceiptTextStyle {
  align?: ReceiptAlign
  bold?: boolean
  underline?: boolean
  /** Width magnification, default 1. */
  width?: CharScale
  /** Height magnification, default 1. */
  height?: CharScale
}

/** One line of text; the printer wraps it when it is wider than the paper. Chinese is welcome. */
export interface ReceiptText extends ReceiptTextStyle {
  type: 'text'
  text: string
}

/** A label on the left and a value on the right of one line (`应缴金额 ........ 128.00`). */
export interface ReceiptPair {
  type: 'pair'
  left: string
  right: string
  bold?: boolean
}

/** A full-width rule made of one repeated character (default `-`). */
export interface ReceiptSeparator {
  type: 'separator'
  char?: string
}

export type ReceiptBarcodeSymbology =
  | 'upcA'
  | 'upcE'
  | 'ean13'
  | 'ean8'
  | 'code39'
  | 'itf'
  | 'codabar'
  | 'code93'
  | 'code128'
export type BarcodeHri = 'none' | 'above' | 'below' | 'both'

export interface ReceiptBarcode {
  type: 'barcode'
  symbology: ReceiptBarcodeSymbology
  data: string
  /** Bar height in dots (1–255), default 80. */
  height?: number
  /** Module width in dots (2–6), default 2. */
  moduleWidth?: number
  /** Human-readable interpretation, default below. */
  hri?: BarcodeHri
  align?: ReceiptAlign
}

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H'

export interface ReceiptQrCode {
  type: 'qr'
  data: string
  /** Module size in dots (1–16), default 6. */
  moduleSize?: number
  errorCorrection?: QrErrorCorrection
  align?: ReceiptAlign
}

/**
 * A 1-bit raster image (logo, seal). `bits` holds rows of ceil(width / 8) bytes, most significant
 * bit first, 1 = black: the layout of ESC/POS GS v 0.
 */
export interface ReceiptImage {
  type: 'image'
  width: number
  height: number
  bits: Uint8Array
  align?: ReceiptAlign
}

export interface ReceiptFeed {
  type: 'feed'
  lines: number
}

export interface ReceiptCut {
  type: 'cut'
  /** Partial cut leaves a hinge so the receipt does not fall; default false (full cut). */
  partial?: boolean
}

export type ReceiptElement =
  | ReceiptText
  | ReceiptPair
  | ReceiptSeparator
  | ReceiptBarcode
  | ReceiptQrCode
  | ReceiptImage
  | ReceiptFeed
  | ReceiptCut

export interface ReceiptDocument {
  /** Short job name for logs and counters; never personal data. */
  name?: string
  elements: ReceiptElement[]
}

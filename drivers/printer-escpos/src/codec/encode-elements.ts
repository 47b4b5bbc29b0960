import type {
  BarcodeHri,
  QrErrorCorrection,
  ReceiptAlign,
  ReceiptBarcode,
  ReceiptBarcodeSymbology,
  ReceiptImage,
  ReceiptQrCode,
} from '@drivers/core'
import {
  CUT_FEED_FULL,
  CUT_FEED_PARTIAL,
  ESC_ALIGN,
  ESC_BOLD,
  ESC_FEED_LINES,
  ESC_UNDERLINE,
  FS_CHINESE_OFF,
  FS_CHINESE_ON,
  GS_2D,
  GS_BARCODE,
  GS_BARCODE_HEIGHT,
  GS_BARCODE_HRI,
  GS_BARCODE_HRI_FONT,
  GS_BARCODE_WIDTH,
  GS_CHAR_SIZE,
  GS_CUT,
  GS_RASTER,
  QR_CN,
  QR_ECC_BASE,
  QR_FN_ERROR_CORRECTION,
  QR_FN_MODEL,
  QR_FN_MODULE_SIZE,
  QR_FN_PRINT,
  QR_FN_STORE,
  QR_MAX_DATA,
  QR_MODEL_2,
} from './constants.ts'

/**
 * One function per ESC/POS command group; each returns the exact bytes (hand-checked in
 * encode-elements.test.ts against docs/device-protocols.md §2). Bad arguments throw TypeError naming the field.
 */

const alignCodes: Record<ReceiptAlign, number> = { left: 0, center: 1, right: 2 }

export function encodeAlign(align: ReceiptAlign): number[] {
  return [...ESC_ALIGN, alignCodes[align]]
}

export function encodeBold(on: boolean): number[] {
  return [...ESC_BOLD, on ? 1 : 0]
}

export function encodeUnderline(on: boolean): number[] {
  return [...ESC_UNDERLINE, on ? 1 : 0]
}

function checkScale(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 8)
    throw new TypeError(`${field} must be an integer 1–8, got ${value}`)
}

/** GS ! n: high nibble width − 1, low nibble height − 1. */
export function encodeCharSize(width: number, height: number): number[] {
  checkScale('width', width)
  checkScale('height', height)
  return [...GS_CHAR_SIZE, ((width - 1) << 4) | (height - 1)]
}

export function encodeChineseMode(on: boolean): number[] {
  return on ? [...FS_CHINESE_ON] : [...FS_CHINESE_OFF]
}

export function encodeFeedLines(lines: number): number[] {
  if (!Number.isInteger(lines) || lines < 0 || lines > 255) throw new TypeError(`lines must be 0–255, got ${lines}`)
  return [...ESC_FEED_LINES, lines]
}

/** GS V 0x41/0x42 0: feed to the cutting position, then full/partial cut. */
export function encodeCut(partial: boolean): number[] {
  return [...GS_CUT, partial ? CUT_FEED_PARTIAL : CUT_FEED_FULL, 0]
}

/** GS k format B codes (§2.3). */
export const barcodeTypeCodes: Record<ReceiptBarcodeSymbology, number> = {
  upcA: 65,
  upcE: 66,
  ean13: 67,
  ean8: 68,
  code39: 69,
  itf: 70,
  codabar: 71,
  code93: 72,
  code128: 73,
}

const hriCodes: Record<BarcodeHri, number> = { none: 0, above: 1, below: 2, both: 3 }

const barcodeData: Record<ReceiptBarcodeSymbology, { pattern: RegExp; rule: string }> = {
  upcA: { pattern: /^\d{11,12}$/, rule: '11–12 digits' },
  upcE: { pattern: /^(\d{6,8}|\d{11,12})$/, rule: '6–8 or 11–12 digits' },
  ean13: { pattern: /^\d{12,13}$/, rule: '12–13 digits' },
  ean8: { pattern: /^\d{7,8}$/, rule: '7–8 digits' },
  code39: { pattern: /^[0-9A-Z $%*+\-./]+$/, rule: 'digits, A–Z and space $ % * + - . /' },
  itf: { pattern: /^(\d\d)+$/, rule: 'an even number of digits' },
  codabar: { pattern: /^[0-9A-Da-d$+\-./:]+$/, rule: 'digits, A–D and $ + - . / :' },
  code93: { pattern: /^[ -~]+$/, rule: 'printable ASCII' },
  code128: { pattern: /^[ -~]+$/, rule: 'printable ASCII' },
}

/** CODE128 data must start with a code-set selector; `{B` (all printable ASCII) unless one is given. */
export function barcodePayload(symbology: ReceiptBarcodeSymbology, data: string): string {
  return symbology === 'code128' && !/^\{[ABC]/.test(data) ? `{B${data}` : data
}

/** GS h / GS w / GS H / GS f settings, then GS k m n d… (format B). */
export function encodeBarcode(barcode: ReceiptBarcode): number[] {
  const { symbology, data, height = 80, moduleWidth = 2, hri = 'below' } = barcode
  const rule = barcodeData[symbology]
  if (rule === undefined) throw new TypeError(`symbology ${String(symbology)} is not supported`)
  if (!rule.pattern.test(data)) throw new TypeError(`data for ${symbology} must be ${rule.rule}`)
  if (!Number.isInteger(height) || height < 1 || height > 255)
    throw new TypeError(`height must be 1–255, got ${height}`)
  if (!Number.isInteger(moduleWidth) || moduleWidth < 2 || moduleWidth > 6) {
    throw new TypeError(`moduleWidth must be 2–6, got ${moduleWidth}`)
  }
  const payload = barcodePayload(symbology, data)
  if (payload.length > 255) throw new TypeError(`data must encode to at most 255 bytes, got ${payload.length}`)
  const bytes = [...payload].map((c) => c.charCodeAt(0))
  return [
    ...GS_BARCODE_HEIGHT,
    height,
    ...GS_BARCODE_WIDTH,
    moduleWidth,
    ...GS_BARCODE_HRI,
    hriCodes[hri],
    ...GS_BARCODE_HRI_FONT,
    0,
    ...GS_BARCODE,
    barcodeTypeCodes[symbology],
    bytes.length,
    ...bytes,
  ]
}

const eccCodes: Record<QrErrorCorrection, number> = { L: 0, M: 1, Q: 2, H: 3 }

function qrFunction(fn: number, params: number[]): number[] {
  const length = params.length + 2
  return [...GS_2D, length & 0xff, length >> 8, QR_CN, fn, ...params]
}

/** GS ( k: model 2, module size, error correction, store (UTF-8 data), print (§2.3). */
export function encodeQrCode(qr: ReceiptQrCode): number[] {
  const { data, moduleSize = 6, errorCorrection = 'M' } = qr
  if (!Number.isInteger(moduleSize) || moduleSize < 1 || moduleSize > 16) {
    throw new TypeError(`moduleSize must be 1–16, got ${moduleSize}`)
  }
  if (eccCodes[errorCorrection] === undefined) throw new TypeError(`errorCorrection must be L, M, Q or H`)
  const bytes = new TextEncoder().encode(data)
  if (bytes.length === 0 || bytes.length > QR_MAX_DATA) {
    throw new TypeError(`data must be 1–${QR_MAX_DATA} bytes, got ${bytes.length}`)
  }
  return [
    ...qrFunction(QR_FN_MODEL, [QR_MODEL_2, 0]),
    ...qrFunction(QR_FN_MODULE_SIZE, [moduleSize]),
    ...qrFunction(QR_FN_ERROR_CORRECTION, [QR_ECC_BASE + eccCodes[errorCorrection]]),
    ...qrFunction(QR_FN_STORE, [0x30, ...bytes]),
    ...qrFunction(QR_FN_PRINT, [0x30]),
  ]
}

/** GS v 0 0 xL xH yL yH d…, in bands of `bandRows` rows so small receive buffers keep up. */
export function encodeRasterImage(image: ReceiptImage, maxWidthDots: number, bandRows: number): number[] {
  const { width, height, bits } = image
  if (!Number.isInteger(width) || width < 1 || width > maxWidthDots) {
    throw new TypeError(`width must be 1–${maxWidthDots} dots, got ${width}`)
  }
  if (!Number.isInteger(height) || height < 1) throw new TypeError(`height must be a positive integer, got ${height}`)
  const rowBytes = Math.ceil(width / 8)
  if (bits.length !== rowBytes * height) {
    throw new TypeError(`bits must hold ${rowBytes * height} bytes for ${width}×${height}, got ${bits.length}`)
  }
  const out: number[] = []
  for (let top = 0; top < height; top += bandRows) {
    const rows = Math.min(bandRows, height - top)
    out.push(...GS_RASTER, 0, rowBytes & 0xff, rowBytes >> 8, rows & 0xff, rows >> 8)
    const band = bits.subarray(top * rowBytes, (top + rows) * rowBytes)
    for (const b of band) out.push(b)
  }
  return out
}

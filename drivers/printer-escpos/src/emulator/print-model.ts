import type { ReceiptAlign, ReceiptBarcodeSymbology } from '@drivers/core'

/** What came out of the emulated print head, in order. The renderers draw these. */
export interface PrintedSegment {
  text: string
  bold: boolean
  underline: boolean
  width: number
  height: number
}

export type PrintedItem =
  | { kind: 'text'; align: ReceiptAlign; segments: PrintedSegment[] }
  | {
      kind: 'barcode'
      align: ReceiptAlign
      symbology: ReceiptBarcodeSymbology | 'unknown'
      data: string
      heightDots: number
      moduleWidth: number
      hri: number
    }
  | { kind: 'qr'; align: ReceiptAlign; data: string; moduleSize: number; errorCorrection: 'L' | 'M' | 'Q' | 'H' }
  | { kind: 'raster'; align: ReceiptAlign; widthDots: number; heightDots: number; bits: Uint8Array }
  | { kind: 'feed'; dots: number }
  | { kind: 'cut'; partial: boolean }

/** Font A cell: 12 × 24 dots for ASCII, 24 × 24 for Chinese. */
export const cellWidth = (ch: string): number => ((ch.codePointAt(0) ?? 0) > 0x7f ? 24 : 12)

/**
 * Splits a line of styled segments into printed lines no wider than `dotsPerLine`, as the printer's
 * line buffer does when text overruns the paper.
 */
export function wrapSegments(segments: PrintedSegment[], dotsPerLine: number): PrintedSegment[][] {
  const lines: PrintedSegment[][] = []
  let line: PrintedSegment[] = []
  let used = 0
  for (const segment of segments) {
    let text = ''
    for (const ch of segment.text) {
      const w = cellWidth(ch) * segment.width
      if (used + w > dotsPerLine && used > 0) {
        if (text) line.push({ ...segment, text })
        lines.push(line)
        line = []
        used = 0
        text = ''
      }
      text += ch
      used += w
    }
    if (text) line.push({ ...segment, text })
  }
  lines.push(line)
  return lines
}

export function lineWidthDots(segments: PrintedSegment[]): number {
  let dots = 0
  for (const s of segments) for (const ch of s.text) dots += cellWidth(ch) * s.width
  return dots
}

export function lineHeightDots(segments: PrintedSegment[], lineSpacingDots: number): number {
  const tallest = segments.reduce((max, s) => Math.max(max, s.height), 1)
  return lineSpacingDots + 24 * (tallest - 1)
}

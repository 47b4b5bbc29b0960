import type { ReceiptAlign } from '@drivers/core'
import { cellWidth, lineWidthDots, type PrintedItem } from './print-model.ts'

function place(text: string, widthDots: number, align: ReceiptAlign, dotsPerLine: number): string {
  const columns = Math.floor(dotsPerLine / 12)
  const used = Math.round(widthDots / 12)
  const pad = align === 'center' ? Math.floor((columns - used) / 2) : align === 'right' ? columns - used : 0
  return `${' '.repeat(Math.max(0, pad))}${text}`.trimEnd()
}

/**
 * What a person would read off the paper, as text: one line per printed line (double-width
 * characters spaced out), barcodes and QR codes as bracketed labels, a scissors line per cut.
 */
export function renderText(items: readonly PrintedItem[], dotsPerLine: number): string {
  const out: string[] = []
  for (const item of items) {
    switch (item.kind) {
      case 'text': {
        const text = item.segments
          .map((s) => [...s.text].map((ch) => ch + ' '.repeat((s.width - 1) * (cellWidth(ch) / 12))).join(''))
          .join('')
        out.push(place(text, lineWidthDots(item.segments), item.align, dotsPerLine))
        break
      }
      case 'barcode': {
        const label = `[${item.symbology.toUpperCase()} ${item.data}]`
        out.push(place(label, label.length * 12, item.align, dotsPerLine))
        break
      }
      case 'qr': {
        const label = `[QR ${item.errorCorrection} ${item.data}]`
        out.push(place(label, label.length * 12, item.align, dotsPerLine))
        break
      }
      case 'raster': {
        const label = `[IMAGE ${item.widthDots}x${item.heightDots}]`
        out.push(place(label, label.length * 12, item.align, dotsPerLine))
        break
      }
      case 'feed':
        for (let i = 0; i < Math.round(item.dots / 30); i++) out.push('')
        break
      case 'cut':
        out.push(`${item.partial ? '8< partial cut ' : '8< full cut '}${'-'.repeat(Math.floor(dotsPerLine / 12) - 15)}`)
        break
    }
  }
  return `${out.join('\n')}\n`
}

import { existsSync } from 'node:fs'
import type { ReceiptAlign } from '@drivers/core'
import { AppError } from '@drivers/core'
import QRCode from 'qrcode'
import { PrinterErrorCodes } from '../errors.ts'
import { cellWidth, lineHeightDots, lineWidthDots, type PrintedItem } from './print-model.ts'

/** Debian fonts-noto-cjk; the emulator's "built-in" font, like a printer's GB18030 ROM font. */
export const NOTO_CJK_REGULAR = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
export const NOTO_CJK_BOLD = '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc'
const FAMILY = 'Noto Sans CJK SC'

const bwipIds: Record<string, string> = {
  upcA: 'upca',
  upcE: 'upce',
  ean13: 'ean13',
  ean8: 'ean8',
  code39: 'code39',
  itf: 'interleaved2of5',
  codabar: 'rationalizedCodabar',
  code93: 'code93',
  code128: 'code128',
}

export interface RenderPngOptions {
  dotsPerLine: number
  lineSpacingDots: number
  /** Paper width in dots (80 mm ≈ 640, 58 mm ≈ 464); the print area is centred on it. */
  paperDots?: number
}

function itemHeight(item: PrintedItem, o: RenderPngOptions): number {
  switch (item.kind) {
    case 'text':
      return lineHeightDots(item.segments, o.lineSpacingDots)
    case 'barcode':
      return item.heightDots + (item.hri === 0 ? 0 : item.hri === 3 ? 2 : 1) * o.lineSpacingDots
    case 'qr':
      return QRCode.create(item.data, { errorCorrectionLevel: item.errorCorrection }).modules.size * item.moduleSize
    case 'raster':
      return item.heightDots
    case 'feed':
      return item.dots
    case 'cut':
      return 16
  }
}

const startX = (align: ReceiptAlign, width: number, dotsPerLine: number): number =>
  align === 'center' ? Math.floor((dotsPerLine - width) / 2) : align === 'right' ? dotsPerLine - width : 0

/**
 * Draws what the emulator printed at one pixel per dot (203 dpi), so a person can look at it.
 * Loads @napi-rs/canvas and bwip-js only when called; needs Debian's fonts-noto-cjk.
 */
export async function renderPng(items: readonly PrintedItem[], options: RenderPngOptions): Promise<Uint8Array> {
  for (const path of [NOTO_CJK_REGULAR, NOTO_CJK_BOLD]) {
    if (!existsSync(path)) {
      throw new AppError(PrinterErrorCodes.fontMissing, `${path} is missing: apt-get install fonts-noto-cjk`, {
        context: { path },
      })
    }
  }
  const { createCanvas, GlobalFonts, loadImage } = await import('@napi-rs/canvas')
  const bwip = await import('bwip-js/node')
  if (!GlobalFonts.has(FAMILY)) {
    GlobalFonts.registerFromPath(NOTO_CJK_REGULAR)
    GlobalFonts.registerFromPath(NOTO_CJK_BOLD)
  }
  const paperDots = options.paperDots ?? options.dotsPerLine + 64
  const left = Math.floor((paperDots - options.dotsPerLine) / 2)
  const heights = items.map((item) => itemHeight(item, options))
  const height = heights.reduce((a, b) => a + b, 0) + 48
  const canvas = createCanvas(paperDots, height)
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, paperDots, height)
  ctx.fillStyle = '#000000'
  ctx.strokeStyle = '#000000'
  let y = 24
  for (const [index, item] of items.entries()) {
    const h = heights[index] ?? 0
    switch (item.kind) {
      case 'text': {
        let x = left + startX(item.align, lineWidthDots(item.segments), options.dotsPerLine)
        const baseline = y + h - (options.lineSpacingDots - 24) - 4
        for (const s of item.segments) {
          ctx.font = `${s.bold ? 'bold ' : ''}22px "${FAMILY}"`
          for (const ch of s.text) {
            const cell = cellWidth(ch)
            ctx.save()
            ctx.translate(x + (cell * s.width) / 2, baseline)
            ctx.scale(s.width, s.height)
            ctx.textAlign = 'center'
            ctx.fillText(ch, 0, 0)
            ctx.restore()
            if (s.underline) ctx.fillRect(x, baseline + 3, cell * s.width, 2)
            x += cell * s.width
          }
        }
        break
      }
      case 'barcode': {
        const bcid = bwipIds[item.symbology]
        if (bcid === undefined) break
        const png = await bwip.toBuffer({
          bcid,
          text: item.data,
          scaleX: item.moduleWidth,
          scaleY: 1,
          height: item.heightDots / 2.835,
        })
        const image = await loadImage(png)
        const x = left + startX(item.align, image.width, options.dotsPerLine)
        const above = item.hri === 1 || item.hri === 3
        const below = item.hri === 2 || item.hri === 3
        const barsTop = above ? y + options.lineSpacingDots : y
        ctx.drawImage(image, x, barsTop, image.width, item.heightDots)
        ctx.font = `22px "${FAMILY}"`
        ctx.textAlign = 'center'
        if (above) ctx.fillText(item.data, x + image.width / 2, y + 22)
        if (below) ctx.fillText(item.data, x + image.width / 2, barsTop + item.heightDots + 24)
        ctx.textAlign = 'start'
        break
      }
      case 'qr': {
        const qr = QRCode.create(item.data, { errorCorrectionLevel: item.errorCorrection })
        const size = qr.modules.size
        const x0 = left + startX(item.align, size * item.moduleSize, options.dotsPerLine)
        for (let r = 0; r < size; r++) {
          for (let c = 0; c < size; c++) {
            if (qr.modules.get(r, c))
              ctx.fillRect(x0 + c * item.moduleSize, y + r * item.moduleSize, item.moduleSize, item.moduleSize)
          }
        }
        break
      }
      case 'raster': {
        const rowBytes = item.widthDots / 8
        const x0 = left + startX(item.align, item.widthDots, options.dotsPerLine)
        for (let r = 0; r < item.heightDots; r++) {
          for (let c = 0; c < item.widthDots; c++) {
            const byte = item.bits[r * rowBytes + (c >> 3)] ?? 0
            if (byte & (0x80 >> (c & 7))) ctx.fillRect(x0 + c, y + r, 1, 1)
          }
        }
        break
      }
      case 'feed':
        break
      case 'cut':
        ctx.save()
        ctx.setLineDash([8, 6])
        ctx.strokeStyle = '#999999'
        ctx.beginPath()
        ctx.moveTo(0, y + 8)
        ctx.lineTo(paperDots, y + 8)
        ctx.stroke()
        ctx.restore()
        break
    }
    y += h
  }
  return new Uint8Array(await canvas.encode('png'))
}

import PDFDocument from 'pdfkit'
import QRCode from 'qrcode'
import { type CjkFonts, checkFonts, debianNotoCjk } from './fonts.ts'
import type { DocumentLayout } from './layout.ts'

export interface RenderPdfOptions {
  fonts?: CjkFonts
  /** Fixed creation date so the same data gives the same PDF (default: issuedOn noon UTC). */
  creationDate?: Date
  /** Diagonal "样本 SAMPLE" watermark for demo and test documents (default true). */
  sampleWatermark?: boolean
}

const A4 = { width: 595.28, height: 841.89 }
const MARGIN = 56
const RED = '#c8161d'

function drawSeal(doc: PDFKit.PDFDocument, cx: number, cy: number, issuer: string): void {
  doc.save()
  doc.lineWidth(2.5).strokeColor(RED).fillColor(RED).opacity(0.85)
  doc.circle(cx, cy, 48).stroke()
  const star: [number, number][] = []
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? 16 : 6.5
    const a = -Math.PI / 2 + (k * Math.PI) / 5
    star.push([cx + r * Math.cos(a), cy + r * Math.sin(a)])
  }
  doc.polygon(...star).fill()
  // issuer along the upper arc, one glyph at a time
  const chars = [...issuer]
  const span = Math.min(Math.PI * 1.25, chars.length * 0.3)
  doc.font('title').fontSize(10)
  chars.forEach((ch, i) => {
    const a = -Math.PI / 2 - span / 2 + (span * (i + 0.5)) / chars.length
    doc.save()
    doc.translate(cx + 37 * Math.cos(a), cy + 37 * Math.sin(a))
    doc.rotate(((a + Math.PI / 2) * 180) / Math.PI)
    doc.text(ch, -5, -6, { lineBreak: false })
    doc.restore()
  })
  doc.restore()
}

function drawQr(doc: PDFKit.PDFDocument, x: number, y: number, size: number, text: string): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const cell = size / n
  doc.save().fillColor('black')
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) doc.rect(x + c * cell, y + r * cell, cell, cell)
  }
  doc.fill()
  doc.restore()
}

/** Draws a DocumentLayout on one A4 page (more if the table is long) and returns the PDF bytes. */
export function renderPdf(layout: DocumentLayout, options: RenderPdfOptions = {}): Promise<Uint8Array> {
  const fonts = options.fonts ?? debianNotoCjk
  checkFonts(fonts)
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: layout.title,
      Author: layout.issuer,
      CreationDate: options.creationDate ?? new Date(`${layout.issuedOn.slice(0, 10)}T12:00:00Z`),
    },
  })
  doc.registerFont('body', fonts.body.path, fonts.body.postscriptName)
  doc.registerFont('title', fonts.title.path, fonts.title.postscriptName)
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))))
    doc.on('error', reject)
  })
  const width = A4.width - 2 * MARGIN

  if (options.sampleWatermark ?? true) {
    doc.save().rotate(-30, { origin: [A4.width / 2, A4.height / 2] })
    doc.font('title').fontSize(72).fillColor('#000000').opacity(0.06)
    doc.text('样本 SAMPLE', 0, A4.height / 2 - 40, { width: A4.width, align: 'center' })
    doc.restore()
  }

  doc.font('body').fontSize(10).fillColor('black').opacity(1)
  doc.text(`编号 No. ${layout.serial}`, MARGIN, MARGIN, { width, align: 'right' })
  doc
    .font('title')
    .fontSize(13)
    .text(layout.authority, MARGIN, MARGIN + 24, { width, align: 'center' })
  doc.fontSize(22).text(layout.title, MARGIN, MARGIN + 46, { width, align: 'center', characterSpacing: 2 })
  let y = MARGIN + 96

  // header fields, two columns of label/value in a ruled box
  const rowH = 24
  const labelW = 96
  doc.lineWidth(0.8).strokeColor('black')
  for (const [label, value] of layout.fields) {
    doc.font('body').fontSize(11)
    const valueH = Math.max(rowH, doc.heightOfString(value, { width: width - labelW - 12 }) + 10)
    doc.rect(MARGIN, y, width, valueH).stroke()
    doc
      .moveTo(MARGIN + labelW, y)
      .lineTo(MARGIN + labelW, y + valueH)
      .stroke()
    doc
      .font('title')
      .fontSize(10.5)
      .text(label, MARGIN + 6, y + 6, { width: labelW - 12, align: 'center' })
    doc
      .font('body')
      .fontSize(11)
      .text(value, MARGIN + labelW + 6, y + 5, { width: width - labelW - 12 })
    y += valueH
  }

  if (layout.table) {
    y += 16
    const total = layout.table.columns.reduce((s, c) => s + c.width, 0)
    const widths = layout.table.columns.map((c) => (c.width / total) * width)
    const drawRow = (cells: string[], header: boolean): void => {
      doc.font(header ? 'title' : 'body').fontSize(header ? 10.5 : 10.5)
      const h = Math.max(rowH, ...cells.map((c, i) => doc.heightOfString(c, { width: (widths[i] ?? 0) - 8 }) + 10))
      if (y + h > A4.height - 200) {
        doc.addPage()
        y = MARGIN
      }
      let x = MARGIN
      cells.forEach((cell, i) => {
        const w = widths[i] ?? 0
        if (header) doc.save().rect(x, y, w, h).fillOpacity(0.08).fill('black').restore()
        doc.rect(x, y, w, h).stroke()
        doc.text(cell, x + 4, y + 6, {
          width: w - 8,
          align: header ? 'center' : (layout.table?.columns[i]?.align ?? 'center'),
        })
        x += w
      })
      y += h
    }
    drawRow(
      layout.table.columns.map((c) => c.title),
      true,
    )
    for (const row of layout.table.rows) drawRow(row, false)
  }

  y += 14
  doc.font('body').fontSize(11)
  for (const paragraph of layout.paragraphs ?? []) {
    doc.text(paragraph, MARGIN, y, { width, lineGap: 4, indent: 22 })
    y = doc.y + 6
  }

  // footer: QR and verification code left, issuer, date and seal right
  const footerY = Math.max(y + 20, A4.height - MARGIN - 150)
  drawQr(doc, MARGIN, footerY, 96, layout.verification.url)
  doc.font('body').fontSize(9)
  doc.text('扫码核验 Scan to verify', MARGIN, footerY + 100, { width: 150 })
  doc.text(`核验码 ${layout.verification.code}`, MARGIN, footerY + 114, { width: 200 })
  const right = MARGIN + width
  doc.font('body').fontSize(12)
  doc.text(`${layout.issuer}（盖章）`, right - 240, footerY + 30, { width: 240, align: 'right' })
  doc.text(layout.issuedOn, right - 240, footerY + 54, { width: 240, align: 'right' })
  drawSeal(doc, right - 70, footerY + 46, layout.issuer)
  doc.font('body').fontSize(8).fillColor('#555555')
  doc.text(
    '本证明由自助终端打印，可通过扫描二维码或登录政务服务网输入核验码核验真伪。',
    MARGIN,
    A4.height - MARGIN - 12,
    {
      width,
      align: 'center',
    },
  )
  doc.end()
  return done
}

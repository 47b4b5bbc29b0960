import { describe, expect, it } from 'vitest'
import { encodeReceipt } from './encode-receipt.ts'
import { generic58mm, generic80mm } from './profile.ts'

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')

describe('encodeReceipt', () => {
  it('starts with ESC @ and sends plain ASCII text with only LF', () => {
    const r = encodeReceipt({ elements: [{ type: 'text', text: 'Hello' }] }, { profile: generic80mm })
    expect(hex(r.bytes)).toBe('1b 40 48 65 6c 6c 6f 0a')
    expect(r.lines).toBe(1)
  })

  it('wraps Chinese text in FS & … FS . with GB18030 bytes (你好 = C4 E3 BA C3)', () => {
    const r = encodeReceipt(
      { elements: [{ type: 'text', text: '你好', align: 'center', bold: true }] },
      { profile: generic80mm },
    )
    expect(hex(r.bytes)).toBe('1b 40 1b 61 01 1b 45 01 1c 26 c4 e3 ba c3 1c 2e 0a')
  })

  it('encodes characters outside GBK as GB18030 four-byte sequences', () => {
    const r = encodeReceipt({ elements: [{ type: 'text', text: '€𠀀' }] }, { profile: generic80mm })
    expect(hex(r.bytes)).toBe('1b 40 1c 26 a2 e3 95 32 82 36 1c 2e 0a')
  })

  it('leaves out FS & when the model is always in Chinese mode, and sends FS C when the model needs it', () => {
    const profile = { ...generic80mm, chineseMode: 'alwaysOn' as const, codeSystem: 0 }
    const r = encodeReceipt({ elements: [{ type: 'text', text: '你好' }] }, { profile })
    expect(hex(r.bytes)).toBe('1b 40 1c 43 00 c4 e3 ba c3 0a')
  })

  it('sends mode commands only when they change', () => {
    const r = encodeReceipt(
      {
        elements: [
          { type: 'text', text: 'A', bold: true, width: 2, height: 2 },
          { type: 'text', text: 'B', bold: true, width: 2, height: 2 },
          { type: 'text', text: 'C' },
        ],
      },
      { profile: generic80mm, initialize: false },
    )
    expect(hex(r.bytes)).toBe('1b 45 01 1d 21 11 41 0a 42 0a 1b 45 00 1d 21 00 43 0a')
  })

  it('fills separators and pairs to the paper width (48 columns on 80 mm, 32 on 58 mm)', () => {
    const wide = encodeReceipt({ elements: [{ type: 'separator' }] }, { profile: generic80mm, initialize: false })
    expect(wide.bytes.length).toBe(49)
    const narrow = encodeReceipt(
      { elements: [{ type: 'separator', char: '=' }] },
      { profile: generic58mm, initialize: false },
    )
    expect(new TextDecoder().decode(narrow.bytes)).toBe(`${'='.repeat(32)}\n`)
    const pair = encodeReceipt(
      { elements: [{ type: 'pair', left: 'Total', right: '12.00' }] },
      { profile: generic58mm, initialize: false },
    )
    expect(new TextDecoder().decode(pair.bytes)).toBe(`Total${' '.repeat(22)}12.00\n`)
  })

  it('counts a Chinese column as two when padding pairs', () => {
    const pair = encodeReceipt(
      { elements: [{ type: 'pair', left: '金额', right: '5' }] },
      { profile: generic58mm, initialize: false },
    )
    // 4 columns + 27 spaces + 1 column = 32
    expect(hex(pair.bytes)).toBe(`1c 26 bd f0 b6 ee ${'20 '.repeat(27)}35 1c 2e 0a`)
  })

  it('feeds before the cut and uses the cut the model has', () => {
    const cut = encodeReceipt(
      { elements: [{ type: 'cut', partial: true }] },
      { profile: generic80mm, initialize: false },
    )
    expect(hex(cut.bytes)).toBe('1b 64 04 1d 56 42 00')
    expect(cut.cuts).toBe(1)
    const fullOnly = encodeReceipt(
      { elements: [{ type: 'cut', partial: true }] },
      { profile: { ...generic80mm, cutter: 'full' }, initialize: false },
    )
    expect(hex(fullOnly.bytes)).toBe('1b 64 04 1d 56 41 00')
    const none = encodeReceipt({ elements: [{ type: 'cut' }] }, { profile: generic58mm, initialize: false })
    expect(hex(none.bytes)).toBe('1b 64 04')
    expect(none.cuts).toBe(0)
  })

  it('centres barcodes, QR codes and images by default', () => {
    const r = encodeReceipt(
      { elements: [{ type: 'image', width: 8, height: 1, bits: Uint8Array.of(0xf0) }] },
      { profile: generic80mm, initialize: false },
    )
    expect(hex(r.bytes)).toBe('1b 61 01 1d 76 30 00 01 00 01 00 f0')
  })

  it('estimates paper: lines × spacing, barcode height + HRI, QR modules × size', () => {
    const r = encodeReceipt(
      {
        elements: [
          { type: 'text', text: 'x' },
          { type: 'barcode', symbology: 'code128', data: 'ABC', height: 50 },
          { type: 'qr', data: 'https://example.com', moduleSize: 4 },
        ],
      },
      { profile: generic80mm },
    )
    // 30 + (50 + 30) + 25 modules (version 2 at M) × 4
    expect(r.feedDots).toBe(30 + 80 + 100)
  })

  it('names the element when an argument is wrong', () => {
    expect(() =>
      encodeReceipt(
        {
          elements: [
            { type: 'text', text: 'ok' },
            { type: 'barcode', symbology: 'ean8', data: 'x' },
          ],
        },
        { profile: generic80mm },
      ),
    ).toThrow(/elements\[1\] \(barcode\)/)
    expect(() => encodeReceipt({ elements: [{ type: 'text', text: 'a\nb' }] }, { profile: generic80mm })).toThrow(
      TypeError,
    )
    expect(() =>
      encodeReceipt({ elements: [{ type: 'qr', data: 'x' }] }, { profile: { ...generic80mm, qrCode: false } }),
    ).toThrow(/QR/)
  })
})

import { describe, expect, it } from 'vitest'
import { encodeBarcode } from './encode-elements.ts'
import { encodeReceipt } from './encode-receipt.ts'
import { generic80mm } from './profile.ts'
import { qrModules, qrVersionFor } from './qr-size.ts'
import { decodeAsb } from './status.ts'
import { gbCodec, textColumns } from './text-codec.ts'

describe('codec edge cases', () => {
  it('refuses unknown element types and symbologies, and bad barcode heights', () => {
    const bogus = { type: 'poem', text: 'x' } as unknown as { type: 'feed'; lines: number }
    expect(() => encodeReceipt({ elements: [bogus] }, { profile: generic80mm })).toThrow(/unknown element type poem/)
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'pdf417' as 'ean8', data: '1' })).toThrow(/not supported/)
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'ean8', data: '1234567', height: 0 })).toThrow(/height/)
    expect(() => encodeReceipt({ elements: [{ type: 'separator', char: '--' }] }, { profile: generic80mm })).toThrow(
      /one character/,
    )
  })

  it('sizes QR codes by version and says when data is too long for any', () => {
    expect(qrVersionFor(17, 'L')).toBe(1)
    expect(qrVersionFor(18, 'L')).toBe(2)
    expect(qrVersionFor(2954, 'L')).toBeUndefined()
    expect(qrModules(40)).toBe(177)
    const long = encodeReceipt(
      { elements: [{ type: 'qr', data: 'x'.repeat(3000), errorCorrection: 'L' }] },
      {
        profile: generic80mm,
      },
    )
    expect(long.feedDots).toBe(177 * 6)
  })

  it('reads a short ASB packet as zeros, and decodes GBK', () => {
    expect(decodeAsb([0x18]).offline).toBe(true)
    const gbk = gbCodec('gbk')
    expect(gbk.decode(gbk.encode('你好'))).toBe('你好')
    expect(textColumns('a你')).toBe(3)
  })

  it('keeps the current alignment for text that does not give one and uses 2 columns for wide separators', () => {
    const r = encodeReceipt(
      { elements: [{ type: 'separator', char: '＝' }] },
      { profile: generic80mm, initialize: false },
    )
    expect(new TextDecoder('gb18030').decode(r.bytes.subarray(2, r.bytes.length - 3))).toBe('＝'.repeat(24))
  })
})

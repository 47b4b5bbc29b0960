import { describe, expect, it } from 'vitest'
import {
  encodeAlign,
  encodeBarcode,
  encodeBold,
  encodeCharSize,
  encodeChineseMode,
  encodeCut,
  encodeFeedLines,
  encodeQrCode,
  encodeRasterImage,
  encodeUnderline,
} from './encode-elements.ts'

const hex = (bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')

describe('ESC/POS element encoders (hand-checked against docs/device-protocols.md §2)', () => {
  it('encodes mode commands', () => {
    expect(hex(encodeAlign('left'))).toBe('1b 61 00')
    expect(hex(encodeAlign('center'))).toBe('1b 61 01')
    expect(hex(encodeAlign('right'))).toBe('1b 61 02')
    expect(hex(encodeBold(true))).toBe('1b 45 01')
    expect(hex(encodeBold(false))).toBe('1b 45 00')
    expect(hex(encodeUnderline(true))).toBe('1b 2d 01')
    expect(hex(encodeChineseMode(true))).toBe('1c 26')
    expect(hex(encodeChineseMode(false))).toBe('1c 2e')
  })

  it('encodes character size as width−1 in the high nibble and height−1 in the low nibble', () => {
    expect(hex(encodeCharSize(1, 1))).toBe('1d 21 00')
    expect(hex(encodeCharSize(2, 2))).toBe('1d 21 11')
    expect(hex(encodeCharSize(2, 1))).toBe('1d 21 10')
    expect(hex(encodeCharSize(8, 8))).toBe('1d 21 77')
    expect(() => encodeCharSize(9, 1)).toThrow(/width/)
    expect(() => encodeCharSize(1, 0)).toThrow(/height/)
  })

  it('encodes feed and cut', () => {
    expect(hex(encodeFeedLines(3))).toBe('1b 64 03')
    expect(hex(encodeCut(false))).toBe('1d 56 41 00')
    expect(hex(encodeCut(true))).toBe('1d 56 42 00')
    expect(() => encodeFeedLines(256)).toThrow(/lines/)
  })

  it('encodes CODE128 in format B with the {B selector (§2.3 example)', () => {
    const bytes = encodeBarcode({ type: 'barcode', symbology: 'code128', data: '1234567890' })
    expect(hex(bytes)).toBe('1d 68 50 1d 77 02 1d 48 02 1d 66 00 ' + '1d 6b 49 0c 7b 42 31 32 33 34 35 36 37 38 39 30')
  })

  it('encodes EAN-13 and validates barcode data per symbology', () => {
    const bytes = encodeBarcode({
      type: 'barcode',
      symbology: 'ean13',
      data: '690123456789',
      height: 60,
      moduleWidth: 3,
      hri: 'none',
    })
    expect(hex(bytes)).toBe('1d 68 3c 1d 77 03 1d 48 00 1d 66 00 1d 6b 43 0c 36 39 30 31 32 33 34 35 36 37 38 39')
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'ean13', data: '12ab' })).toThrow(/ean13/)
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'itf', data: '123' })).toThrow(/even/)
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'code39', data: 'abc' })).toThrow(/code39/)
    expect(() => encodeBarcode({ type: 'barcode', symbology: 'code128', data: 'x', moduleWidth: 7 })).toThrow(
      /moduleWidth/,
    )
  })

  it('encodes a QR code in five GS ( k steps; store length is k + 3 (§2.3 example)', () => {
    const bytes = encodeQrCode({ type: 'qr', data: 'https://example.com', moduleSize: 6, errorCorrection: 'M' })
    const data = [...new TextEncoder().encode('https://example.com')]
    expect(hex(bytes)).toBe(
      hex([
        ...[0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00],
        ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06],
        ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31],
        ...[0x1d, 0x28, 0x6b, 0x16, 0x00, 0x31, 0x50, 0x30, ...data],
        ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30],
      ]),
    )
    expect(() => encodeQrCode({ type: 'qr', data: '' })).toThrow(/data/)
    expect(() => encodeQrCode({ type: 'qr', data: 'x', moduleSize: 17 })).toThrow(/moduleSize/)
  })

  it('uses pH for QR data longer than 252 bytes', () => {
    const bytes = encodeQrCode({ type: 'qr', data: 'A'.repeat(300) })
    const store = bytes.slice(25, 33)
    expect(hex(store)).toBe('1d 28 6b 2f 01 31 50 30')
  })

  it('encodes a raster image with GS v 0, split into bands', () => {
    const bits = Uint8Array.from([0xff, 0x80, 0x01, 0x00, 0xaa, 0x55])
    const one = encodeRasterImage({ type: 'image', width: 9, height: 3, bits }, 576, 128)
    expect(hex(one)).toBe('1d 76 30 00 02 00 03 00 ff 80 01 00 aa 55')
    const banded = encodeRasterImage({ type: 'image', width: 9, height: 3, bits }, 576, 2)
    expect(hex(banded)).toBe('1d 76 30 00 02 00 02 00 ff 80 01 00 1d 76 30 00 02 00 01 00 aa 55')
    expect(() => encodeRasterImage({ type: 'image', width: 600, height: 1, bits }, 576, 128)).toThrow(/width/)
    expect(() => encodeRasterImage({ type: 'image', width: 8, height: 2, bits }, 576, 128)).toThrow(/bits/)
  })
})

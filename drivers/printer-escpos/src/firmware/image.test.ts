import { describe, expect, it } from 'vitest'
import { buildFirmwareImage, parseFirmwareImage, readFirmwareHeader } from './image.ts'

const payload = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff)

describe('KFW1 firmware image', () => {
  it('round-trips and ignores XMODEM padding after the image', () => {
    const image = buildFirmwareImage({ model: 'xprinter-xp-t58h', version: '2.1.0', payload })
    expect(Buffer.from(image.subarray(0, 4)).toString()).toBe('KFW1')
    expect(image.length).toBe(4 + 1 + 16 + 1 + 5 + 4 + 3000 + 32)
    const padded = Uint8Array.of(...image, ...new Uint8Array(500).fill(0x1a))
    const parsed = parseFirmwareImage(padded)
    expect(parsed).toMatchObject({
      ok: true,
      image: { model: 'xprinter-xp-t58h', version: '2.1.0', length: image.length },
    })
    if (parsed.ok) expect(parsed.image.payload).toEqual(payload)
    expect(readFirmwareHeader(image.subarray(0, 100))).toMatchObject({ ok: true, header: { payloadLength: 3000 } })
  })

  it('finds corruption, truncation, a foreign file and a bad header', () => {
    const image = buildFirmwareImage({ model: 'epson-tm-t88v', version: '30.01', payload })
    const corrupted = Uint8Array.from(image)
    corrupted[1500] = (corrupted[1500] ?? 0) ^ 1
    expect(parseFirmwareImage(corrupted)).toEqual({ ok: false, problem: 'checksum' })
    expect(parseFirmwareImage(image.subarray(0, image.length - 1))).toEqual({ ok: false, problem: 'truncated' })
    expect(parseFirmwareImage(new TextEncoder().encode('PK\x03\x04 a zip file'))).toEqual({
      ok: false,
      problem: 'badMagic',
    })
    const badHeader = Uint8Array.from(image)
    badHeader[4] = 0
    expect(parseFirmwareImage(badHeader)).toEqual({ ok: false, problem: 'badHeader' })
  })

  it('refuses to build what does not fit the format', () => {
    expect(() => buildFirmwareImage({ model: 'has space', version: '1', payload })).toThrow(RangeError)
    expect(() => buildFirmwareImage({ model: 'm', version: 'x'.repeat(33), payload })).toThrow(RangeError)
  })
})

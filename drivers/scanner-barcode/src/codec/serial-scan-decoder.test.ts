import { describe, expect, it } from 'vitest'
import type { ScanDecodeEvent } from './decode-event.ts'
import { encodeSerialScan, SerialScanDecoder } from './serial-scan-decoder.ts'
import { aimIdFor, symbologyFromAim } from './symbology.ts'
import { decodeScanText, hexToBytes } from './text.ts'

const utf8 = new TextEncoder()
const scans = (events: ScanDecodeEvent[]) =>
  events.flatMap((e) => (e.kind === 'scan' ? [new TextDecoder().decode(e.bytes)] : []))
const discarded = (events: ScanDecodeEvent[]) => events.flatMap((e) => (e.kind === 'discarded' ? [e.reason] : []))

const QR = '{"type":"参保证明","id":"SB-2026-000123"}'

describe('serial scanner framing (§3.3)', () => {
  it('decodes a Chinese UTF-8 scan split at every byte offset', () => {
    const wire = encodeSerialScan(utf8.encode(QR))
    for (let cut = 0; cut <= wire.length; cut++) {
      const decoder = new SerialScanDecoder()
      const events = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut))]
      expect(scans(events)).toEqual([QR])
    }
  })

  it('decodes several scans in one chunk and one scan byte by byte', () => {
    const decoder = new SerialScanDecoder()
    const two = Uint8Array.from([...encodeSerialScan(utf8.encode('A')), ...encodeSerialScan(utf8.encode('B'))])
    expect(scans(decoder.push(two))).toEqual(['A', 'B'])
    const events = [...encodeSerialScan(utf8.encode('1234'))].flatMap((b) => decoder.push(Uint8Array.of(b)))
    expect(scans(events)).toEqual(['1234'])
  })

  it.each([
    ['LF', '0a'],
    ['CR LF', '0d0a'],
    ['Tab', '09'],
  ])('takes a configurable suffix: %s', (_, hex) => {
    const suffix = hexToBytes(hex, 'suffix')
    const decoder = new SerialScanDecoder({ suffix })
    expect(scans(decoder.push(encodeSerialScan(utf8.encode('X9'), { suffix })))).toEqual(['X9'])
  })

  it('strips a prefix and an AIM identifier, and throws away bytes before the prefix', () => {
    const prefix = hexToBytes('02', 'prefix')
    const decoder = new SerialScanDecoder({ prefix, aimIdPrefix: true })
    const wire = encodeSerialScan(utf8.encode(QR), { prefix, aimId: aimIdFor('qrCode') })
    const events = decoder.push(Uint8Array.from([0x41, 0x42, ...wire]))
    expect(scans(events)).toEqual([QR])
    expect(discarded(events)).toEqual(['garbage'])
    const withAim = events.find((e) => e.kind === 'scan')
    expect(withAim?.kind === 'scan' && symbologyFromAim(withAim.aimId ?? '')).toBe('qrCode')
  })

  it('resyncs on the AIM identifier when noise without a suffix runs into the next scan', () => {
    const decoder = new SerialScanDecoder({ aimIdPrefix: true })
    const events = decoder.push(
      Uint8Array.from([0x00, 0xff, 0x13, 0x37, ...encodeSerialScan(utf8.encode(QR), { aimId: ']Q1' })]),
    )
    expect(discarded(events)).toEqual(['garbage'])
    expect(scans(events)).toEqual([QR])
  })

  it('discards a frame without the prefix, a bad AIM id, control bytes and empty frames, then resyncs', () => {
    const decoder = new SerialScanDecoder({ aimIdPrefix: true })
    const events = decoder.push(
      Uint8Array.from([
        ...utf8.encode('nope\r'),
        0x00,
        0xff,
        0x13,
        0x0d,
        0x0d,
        ...encodeSerialScan(utf8.encode('ok'), { aimId: ']C0' }),
      ]),
    )
    expect(discarded(events)).toEqual(['garbage', 'garbage', 'garbage'])
    expect(scans(events)).toEqual(['ok'])
    const prefixed = new SerialScanDecoder({ prefix: Uint8Array.of(0x02) })
    expect(discarded(prefixed.push(utf8.encode('noprefix\r')))).toEqual(['garbage'])
    const controls = new SerialScanDecoder()
    expect(discarded(controls.push(Uint8Array.of(0x41, 0x01, 0x0d)))).toEqual(['garbage'])
  })

  it('drops an over-long frame as an overflow up to the next suffix, then decodes again', () => {
    const decoder = new SerialScanDecoder({ maxScanBytes: 8 })
    const events = [
      ...decoder.push(utf8.encode('0123456789abcdef')),
      ...decoder.push(utf8.encode('tail\r')),
      ...decoder.push(utf8.encode('short\r')),
    ]
    expect(discarded(events)).toEqual(['overflow', 'overflow'])
    expect(scans(events)).toEqual(['short'])
  })

  it('without a suffix, flush ends the scan (idle framing) and reset discards', () => {
    const decoder = new SerialScanDecoder({ suffix: new Uint8Array(0) })
    expect(decoder.push(utf8.encode('abc'))).toEqual([])
    expect(decoder.pendingBytes).toBe(3)
    expect(scans(decoder.flush())).toEqual(['abc'])
    decoder.push(utf8.encode('half'))
    expect(discarded(decoder.reset())).toEqual(['garbage'])
    expect(decoder.flush()).toEqual([])
    expect(decoder.reset()).toEqual([])
  })

  it('never throws on random bytes', () => {
    const decoder = new SerialScanDecoder({ prefix: Uint8Array.of(2), aimIdPrefix: true, maxScanBytes: 64 })
    let seed = 3
    for (let i = 0; i < 500; i++) {
      const chunk = Uint8Array.from({ length: i % 40 }, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed & 0xff
      })
      expect(() => decoder.push(chunk)).not.toThrow()
    }
  })

  it('decodes text in the configured encoding and reports invalid bytes', () => {
    expect(decodeScanText(Uint8Array.of(0xc9, 0xe7, 0xb1, 0xa3), 'gbk')).toBe('社保')
    expect(decodeScanText(Uint8Array.of(0xff, 0xfe), 'utf-8')).toBeUndefined()
    expect(() => hexToBytes('0g', 'suffix')).toThrow(/suffix/)
    expect(() => encodeSerialScan(new Uint8Array(1), { aimId: 'bad' })).toThrow(/aimId/)
    expect(() => new SerialScanDecoder({ maxScanBytes: -1 })).toThrow(/maxScanBytes/)
  })
})

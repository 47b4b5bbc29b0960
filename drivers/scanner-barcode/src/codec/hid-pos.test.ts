import { describe, expect, it } from 'vitest'
import { HID_POS_DATA_PER_REPORT } from './constants.ts'
import type { ScanDecodeEvent } from './decode-event.ts'
import { encodeHidPosReports, HidPosDecoder } from './hid-pos.ts'
import { symbologyFromAim, symbologyFromHoneywellCodeId } from './symbology.ts'

const utf8 = new TextEncoder()
const scans = (events: ScanDecodeEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'scan' ? [{ text: new TextDecoder().decode(e.bytes), aimId: e.aimId, codeId: e.codeId }] : [],
  )

describe('HID POS report 0x02 decoding (§3.2)', () => {
  it('decodes a one-report scan with its AIM identifier and Honeywell code ID', () => {
    const [report] = encodeHidPosReports(utf8.encode('6901234567892'), ']E0', 0x64)
    expect(report).toHaveLength(64)
    expect([...report!.subarray(0, 5)]).toEqual([0x02, 13, 0x5d, 0x45, 0x30])
    const events = new HidPosDecoder().push(report!)
    expect(scans(events)).toEqual([{ text: '6901234567892', aimId: ']E0', codeId: 0x64 }])
    expect(symbologyFromAim(']E0')).toBe('ean13')
    expect(symbologyFromHoneywellCodeId(0x64)).toBe('ean13')
  })

  it('joins a multi-report Chinese QR payload, with UTF-8 characters split across reports', () => {
    const payload = `https://zwfw.example.gov.cn/社保/参保证明?姓名=张三&编号=${'码'.repeat(30)}`
    const bytes = utf8.encode(payload)
    const reports = encodeHidPosReports(bytes, ']Q1', 0x73)
    expect(reports.length).toBeGreaterThan(2)
    // the first boundary falls inside a 3-byte character
    expect(bytes.length).toBeGreaterThan(HID_POS_DATA_PER_REPORT)
    const decoder = new HidPosDecoder()
    const events = reports.flatMap((r) => decoder.push(r))
    expect(scans(events)).toEqual([{ text: payload, aimId: ']Q1', codeId: 0x73 }])
  })

  it('discards reports with another ID, too short, or claiming more than 56 data bytes', () => {
    const decoder = new HidPosDecoder()
    const good = encodeHidPosReports(utf8.encode('A1'), ']C0')[0]!
    const otherId = good.slice()
    otherId[0] = 0x04
    const tooLong = good.slice()
    tooLong[1] = 57
    for (const bad of [otherId, good.slice(0, 20), tooLong]) {
      expect(decoder.push(bad)).toMatchObject([{ kind: 'discarded', reason: 'garbage' }])
    }
    expect(scans(decoder.push(good))).toEqual([{ text: 'A1', aimId: ']C0', codeId: 0 }])
  })

  it('ignores an AIM field that is not one, and an empty scan', () => {
    const report = encodeHidPosReports(utf8.encode('x'), ']Q1')[0]!
    report[2] = 0
    expect(scans(new HidPosDecoder().push(report))).toEqual([{ text: 'x', aimId: undefined, codeId: 0 }])
    expect(new HidPosDecoder().push(encodeHidPosReports(new Uint8Array(0), ']Q1')[0]!)).toEqual([])
  })

  it('drops an over-long scan as an overflow, and reset drops a partial one', () => {
    const decoder = new HidPosDecoder({ maxScanBytes: 60 })
    const reports = encodeHidPosReports(new Uint8Array(120).fill(0x41), ']Q1')
    const events = reports.flatMap((r) => decoder.push(r))
    expect(events.some((e) => e.kind === 'discarded' && e.reason === 'overflow')).toBe(true)
    decoder.push(encodeHidPosReports(new Uint8Array(100).fill(0x42), ']Q1')[0]!)
    expect(decoder.reset()).toMatchObject([{ kind: 'discarded', reason: 'garbage' }])
    expect(decoder.reset()).toEqual([])
    expect(decoder.flush()).toEqual([])
  })

  it('validates encoder arguments', () => {
    expect(() => encodeHidPosReports(new Uint8Array(1), 'Q1')).toThrow(/aimId/)
    expect(() => encodeHidPosReports(new Uint8Array(1), ']Q1', 300)).toThrow(/codeId/)
    expect(() => new HidPosDecoder({ maxScanBytes: 0 })).toThrow(/maxScanBytes/)
  })

  it('never throws on random reports', () => {
    const decoder = new HidPosDecoder()
    let seed = 11
    for (let i = 0; i < 1000; i++) {
      const report = Uint8Array.from({ length: i % 70 }, (_, j) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return j === 0 && i % 2 ? 2 : seed & 0xff
      })
      expect(() => decoder.push(report)).not.toThrow()
    }
  })
})

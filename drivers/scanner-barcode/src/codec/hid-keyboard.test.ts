import { describe, expect, it } from 'vitest'
import type { ScanDecodeEvent } from './decode-event.ts'
import { HidKeyboardDecoder } from './hid-keyboard-decoder.ts'
import { encodeKeyboardReports } from './hid-keyboard-encoder.ts'
import { DE_LAYOUT, US_LAYOUT } from './keyboard-layouts.ts'

const r = (modifiers: number, ...keys: number[]) => {
  const report = new Uint8Array(8)
  report[0] = modifiers
  report.set(keys, 2)
  return report
}
const UP = r(0)
const text = (events: ScanDecodeEvent[]) =>
  events.filter((e) => e.kind === 'scan').map((e) => new TextDecoder().decode(e.bytes))

function feed(decoder: HidKeyboardDecoder, reports: Uint8Array[]): ScanDecodeEvent[] {
  return reports.flatMap((report) => decoder.push(report))
}

describe('HID keyboard-wedge decoding (§3.1 usage table)', () => {
  it.each([
    ['lower-case letters', [r(0, 0x04), UP, r(0, 0x1d), UP], 'az'],
    ['left shift', [r(0x02, 0x04), UP], 'A'],
    ['right shift', [r(0x20, 0x1d), UP], 'Z'],
    ['digits', [r(0, 0x1e), UP, r(0, 0x26), UP, r(0, 0x27), UP], '190'],
    ['shifted digits', [r(0x02, 0x1e), UP, r(0x02, 0x1f), UP, r(0x02, 0x27), UP], '!@)'],
    [
      'punctuation',
      [0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38].flatMap((k) => [r(0, k), UP]),
      "-=[]\\;'`,./",
    ],
    ['shifted punctuation', [0x2d, 0x2e, 0x33, 0x34, 0x38].flatMap((k) => [r(0x20, k), UP]), '_+:"?'],
    ['space', [r(0, 0x0b), UP, r(0, 0x2c), UP, r(0, 0x0c), UP], 'h i'],
  ])('%s', (_, reports, expected) => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    expect(text(feed(decoder, [...reports, r(0, 0x28), UP]))).toEqual([expected])
  })

  it('needs the release report between two presses of the same key', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    const held = feed(decoder, [r(0, 0x0f), r(0, 0x0f), UP, r(0, 0x0f), UP, r(0, 0x28), UP])
    expect(text(held)).toEqual(['ll'])
  })

  it('types every new key of a report with several keys down', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    expect(text(feed(decoder, [r(0, 0x04, 0x05), r(0, 0x05, 0x06), UP, r(0, 0x28)]))).toEqual(['abc'])
  })

  it.each([
    ['enter', [r(0, 0x28)], ['ab']],
    ['enter', [r(0, 0x58)], ['ab']],
    ['tab', [r(0, 0x2b)], ['ab']],
    ['tab', [r(0, 0x28), UP, r(0, 0x2b)], ['ab\n']],
  ] as const)('ends scans on the %s suffix', (suffix, end, expected) => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT, suffix })
    expect(text(feed(decoder, [r(0, 0x04), UP, r(0, 0x05), UP, ...end, UP]))).toEqual(expected)
  })

  it('without a suffix, a scan ends on flush (the driver idle timeout)', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT, suffix: 'none' })
    expect(feed(decoder, [r(0, 0x04), UP])).toEqual([])
    expect(text(decoder.flush())).toEqual(['a'])
    expect(decoder.flush()).toEqual([])
  })

  it('follows the configured layout: German QWERTZ swaps Y and Z and types @ with AltGr', () => {
    const decoder = new HidKeyboardDecoder({ layout: DE_LAYOUT })
    const reports = [r(0, 0x1c), UP, r(0, 0x1d), UP, r(0x40, 0x14), UP, r(0x02, 0x24), UP, r(0, 0x33), UP, r(0, 0x28)]
    expect(text(feed(decoder, reports))).toEqual(['zy@/ö'])
  })

  it('discards wrong-size reports, rollover errors and keys the layout lacks, without throwing', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    const events = feed(decoder, [
      Uint8Array.of(1, 2, 3),
      r(0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01),
      r(0, 0x04),
      UP,
      r(0, 0x3a),
      UP,
      r(0x40, 0x04),
      UP,
      r(0, 0x28),
    ])
    expect(events.filter((e) => e.kind === 'discarded').map((e) => e.kind === 'discarded' && e.reason)).toEqual([
      'garbage',
      'garbage',
      'garbage',
      'garbage',
    ])
    expect(text(events)).toEqual(['a'])
  })

  it('drops a scan past maxLength as an overflow and decodes the next one', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT, maxLength: 3 })
    const long = encodeKeyboardReports('abcdef', US_LAYOUT)
    const events = feed(decoder, [...long, ...encodeKeyboardReports('ok', US_LAYOUT)])
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'overflow' })
    expect(text(events)).toEqual(['ok'])
  })

  it('reset drops a partial scan as discarded', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    feed(decoder, [r(0, 0x04), UP])
    expect(decoder.reset()).toMatchObject([{ kind: 'discarded', reason: 'garbage' }])
    expect(decoder.reset()).toEqual([])
  })

  it('round-trips printable ASCII through the encoder, on both layouts', () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')
    for (const [layout, sample] of [
      [US_LAYOUT, ascii],
      [DE_LAYOUT, 'Zürich @ 10:30 {ok} [1|2] ~ß'],
    ] as const) {
      const decoder = new HidKeyboardDecoder({ layout })
      expect(text(feed(decoder, encodeKeyboardReports(sample, layout)))).toEqual([sample])
    }
  })

  it('refuses to encode what a keyboard cannot type (Chinese goes through HID POS or serial)', () => {
    expect(() => encodeKeyboardReports('社保', US_LAYOUT)).toThrow(TypeError)
    expect(() => new HidKeyboardDecoder({ layout: US_LAYOUT, maxLength: 0 })).toThrow(/maxLength/)
  })

  it('never throws on random reports', () => {
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT })
    let seed = 7
    for (let i = 0; i < 2000; i++) {
      const length = i % 10
      const report = Uint8Array.from({ length }, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed & 0xff
      })
      expect(() => decoder.push(report)).not.toThrow()
    }
  })
})

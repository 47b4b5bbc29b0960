import { describe, expect, it } from 'vitest'
import { HidKeyboardDecoder } from './hid-keyboard-decoder.ts'
import { encodeKeyboardReports } from './hid-keyboard-encoder.ts'
import { US_LAYOUT } from './keyboard-layouts.ts'
import { aimIdFor, honeywellCodeIdFor, isAimId, symbologyFromAim, symbologyFromHoneywellCodeId } from './symbology.ts'
import { decodeScanText } from './text.ts'

describe('symbology identifiers', () => {
  it.each([
    [']Q1', 'qrCode'],
    [']d2', 'dataMatrix'],
    [']L0', 'pdf417'],
    [']C0', 'code128'],
    [']C1', 'gs1128'],
    [']E0', 'ean13'],
    [']E4', 'ean8'],
    [']A0', 'code39'],
    [']h0', 'hanXin'],
    [']Z0', 'unknown'],
    ['Q1', 'unknown'],
    ['[Q1', 'unknown'],
  ] as const)('AIM %s → %s', (aim, symbology) => {
    expect(symbologyFromAim(aim)).toBe(symbology)
  })

  it('maps symbologies back to AIM ids and Honeywell code IDs for emulators', () => {
    for (const s of ['qrCode', 'ean8', 'gs1128', 'ean13', 'code128', 'dataMatrix'] as const) {
      expect(symbologyFromAim(aimIdFor(s))).toBe(s)
      expect(symbologyFromHoneywellCodeId(honeywellCodeIdFor(s))).toBe(s)
    }
    expect(aimIdFor('unknown')).toBe(']X0')
    expect(honeywellCodeIdFor('hanXin')).toBe(0)
    expect(symbologyFromHoneywellCodeId(0x01)).toBe('unknown')
    expect(isAimId(']Q1')).toBe(true)
    expect(isAimId(']Q')).toBe(false)
  })

  it('types Enter and Tab inside a scan, and a Tab suffix', () => {
    const reports = encodeKeyboardReports('a\tb\nc', US_LAYOUT, 'tab')
    const decoder = new HidKeyboardDecoder({ layout: US_LAYOUT, suffix: 'none' })
    const events = reports.flatMap((r) => decoder.push(r))
    expect(events).toEqual([])
    expect(new TextDecoder().decode((decoder.flush()[0] as { bytes: Uint8Array }).bytes)).toBe('a\tb\nc\t')
    expect(encodeKeyboardReports('x', US_LAYOUT, 'none')).toHaveLength(2)
  })

  it('rethrows what is not a decoding error', () => {
    expect(() => decodeScanText(new Uint8Array(1), 'no-such-encoding' as 'utf-8')).toThrow(RangeError)
  })
})

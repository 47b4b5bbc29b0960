import { describe, expect, it } from 'vitest'
import { CommandDecoder } from './command-decoder.ts'

const decode = (...bytes: number[]) => new CommandDecoder().push(Uint8Array.from(bytes))

describe('CommandDecoder command table', () => {
  it.each([
    ['ESC ! print mode', [0x1b, 0x21, 0x38], { type: 'printMode', mode: 0x38 }],
    ['ESC M font B', [0x1b, 0x4d, 0x31], { type: 'font', font: 1 }],
    ['ESC t code table', [0x1b, 0x74, 0x00], { type: 'codeTable', table: 0 }],
    ['ESC J feed dots', [0x1b, 0x4a, 0x40], { type: 'feedDots', dots: 0x40 }],
    ['ESC 2 default spacing', [0x1b, 0x32], { type: 'lineSpacing', dots: undefined }],
    ['ESC 3 n spacing', [0x1b, 0x33, 0x18], { type: 'lineSpacing', dots: 0x18 }],
    ['ESC p drawer pulse', [0x1b, 0x70, 0x00, 0x19, 0xfa], { type: 'drawerPulse', pin: 0 }],
    ['ESC a 49 (ASCII form)', [0x1b, 0x61, 0x31], { type: 'align', align: 'center' }],
    ['ESC - 2', [0x1b, 0x2d, 0x02], { type: 'underline', dots: 2 }],
    ['FS ! Chinese print mode', [0x1c, 0x21, 0x0c], { type: 'chinesePrintMode', mode: 0x0c }],
    ['FS C code system', [0x1c, 0x43, 0x01], { type: 'codeSystem', system: 1 }],
    ['GS B reverse', [0x1d, 0x42, 0x01], { type: 'reverse', on: true }],
    ['GS V 0 full cut', [0x1d, 0x56, 0x00], { type: 'cut', partial: false, feedDots: 0 }],
    ['GS V 49 partial cut', [0x1d, 0x56, 0x31], { type: 'cut', partial: true, feedDots: 0 }],
    ['GS V 65 n feed and full cut', [0x1d, 0x56, 0x41, 0x10], { type: 'cut', partial: false, feedDots: 0x10 }],
    ['GS a ASB', [0x1d, 0x61, 0x0e], { type: 'asbEnable', mask: 0x0e }],
    ['GS r 1', [0x1d, 0x72, 0x01], { type: 'transmitStatus', n: 1 }],
    ['GS r 49', [0x1d, 0x72, 0x31], { type: 'transmitStatus', n: 1 }],
    ['GS f HRI font', [0x1d, 0x66, 0x00], { type: 'barcodeHriFont', font: 0 }],
    ['DLE ENQ 2', [0x10, 0x05, 0x02], { type: 'realtimeRequest', n: 2 }],
    [
      'GS k format A (EAN-13, NUL-terminated)',
      [0x1d, 0x6b, 0x02, 0x34, 0x39, 0x00],
      { type: 'barcode', symbology: 'ean13', code: 2, data: Uint8Array.of(0x34, 0x39) },
    ],
    [
      'GS k format B, unknown type',
      [0x1d, 0x6b, 0x50, 0x01, 0x41],
      { type: 'barcode', symbology: 'unknown', code: 0x50, data: Uint8Array.of(0x41) },
    ],
    [
      'QR error correction H',
      [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x33],
      { type: 'qrErrorCorrection', level: 'H' },
    ],
  ] as const)('%s', (_name, bytes, command) => {
    expect(decode(...bytes)).toEqual([{ kind: 'frame', frame: command }])
  })

  it.each([
    ['CR', [0x0d], 'unknown', 1],
    ['unknown GS', [0x1d, 0x99], 'unknown', 2],
    ['unknown FS', [0x1c, 0x99], 'unknown', 2],
    ['unknown DLE', [0x10, 0x99], 'garbage', 1],
    ['GS ( L (graphics, not QR)', [0x1d, 0x28, 0x4c, 0x02, 0x00, 0x30, 0x45], 'unknown', 7],
    ['GS ( k other symbol (PDF417)', [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x30, 0x41, 0x00], 'unknown', 8],
    ['GS ( k unknown QR function', [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x52, 0x30], 'unknown', 8],
    ['GS ( k bad error-correction level', [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x39], 'unknown', 8],
    ['GS v 1 (not raster mode 0)', [0x1d, 0x76, 0x31, 0x00, 0x01, 0x00, 0x01, 0x00], 'unknown', 3],
  ] as const)('discards %s', (_name, bytes, reason, length) => {
    const [first] = decode(...bytes)
    expect(first).toMatchObject({ kind: 'discarded', reason })
    expect(first?.kind === 'discarded' && first.bytes.length).toBe(length)
  })

  it('waits for the rest of every kind of split command', () => {
    for (const bytes of [
      [0x1b],
      [0x1b, 0x61],
      [0x1d, 0x56, 0x41],
      [0x1d, 0x6b, 0x49],
      [0x1d, 0x6b, 0x49, 0x05, 0x41],
      [0x1d, 0x6b, 0x02, 0x34],
      [0x1d, 0x28, 0x6b, 0x03],
      [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31],
      [0x1d, 0x76, 0x30, 0x00, 0x01],
      [0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xff],
      [0x10, 0x04],
      [0x10, 0x14, 0x08, 0x01],
    ]) {
      expect(decode(...bytes)).toEqual([])
    }
  })

  it('gives up on a format-A barcode that never ends', () => {
    const events = decode(0x1d, 0x6b, 0x04, ...new Array(300).fill(0x41))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'garbage' })
  })

  it('discards an oversized GS ( k as overflow', () => {
    const events = new CommandDecoder({ maxCommandBytes: 64 }).push(Uint8Array.of(0x1d, 0x28, 0x6b, 0xff, 0x00, 0x31))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'overflow' })
  })
})

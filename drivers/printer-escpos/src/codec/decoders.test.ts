import { describe, expect, it } from 'vitest'
import { CommandDecoder } from './command-decoder.ts'
import type { EscPosCommand } from './commands.ts'
import { DLE_DC4_CLEAR_BUFFERS } from './constants.ts'
import { encodeReceipt } from './encode-receipt.ts'
import { generic80mm } from './profile.ts'
import { type DecodeEvent, StatusDecoder } from './status-decoder.ts'

const sample = encodeReceipt(
  {
    elements: [
      { type: 'text', text: '社保缴费凭证', align: 'center', width: 2, height: 2 },
      { type: 'pair', left: '金额', right: '¥128.00', bold: true },
      { type: 'barcode', symbology: 'code128', data: 'RCPT-0001' },
      { type: 'qr', data: 'https://verify.example.gov.cn/r/0001', errorCorrection: 'Q' },
      { type: 'image', width: 16, height: 3, bits: Uint8Array.from([1, 2, 3, 4, 5, 6]) },
      { type: 'feed', lines: 2 },
      { type: 'cut', partial: true },
    ],
  },
  { profile: generic80mm },
).bytes

function frames<F>(events: DecodeEvent<F>[]): F[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [e.frame] : []))
}

/** Text runs split by chunking come back as several text commands: join adjacent runs to compare. */
function normalise(commands: EscPosCommand[]): unknown[] {
  const out: unknown[] = []
  for (const c of commands) {
    const last = out.at(-1) as { type?: string; bytes?: number[] } | undefined
    if (c.type === 'text' && last?.type === 'text') last.bytes?.push(...c.bytes)
    else out.push(c.type === 'text' ? { type: 'text', bytes: [...c.bytes] } : c)
  }
  return out
}

describe('CommandDecoder', () => {
  it('decodes every element of a receipt', () => {
    const events = new CommandDecoder().push(sample)
    expect(events.filter((e) => e.kind === 'discarded')).toEqual([])
    const types = frames(events).map((c) => c.type)
    expect(types).toEqual([
      'init',
      'align',
      'charSize',
      'chineseMode',
      'text',
      'chineseMode',
      'lineFeed',
      'align',
      'bold',
      'charSize',
      'chineseMode',
      'text',
      'chineseMode',
      'lineFeed',
      'align',
      'barcodeHeight',
      'barcodeWidth',
      'barcodeHri',
      'barcodeHriFont',
      'barcode',
      'qrModel',
      'qrModuleSize',
      'qrErrorCorrection',
      'qrStore',
      'qrPrint',
      'raster',
      'feedLines',
      'feedLines',
      'cut',
    ])
    const barcode = frames(events).find((c) => c.type === 'barcode')
    expect(barcode).toMatchObject({ symbology: 'code128', code: 73 })
    const store = frames(events).find((c) => c.type === 'qrStore')
    expect(store?.type === 'qrStore' && new TextDecoder().decode(store.data)).toBe(
      'https://verify.example.gov.cn/r/0001',
    )
    expect(frames(events).at(-1)).toEqual({ type: 'cut', partial: true, feedDots: 0 })
  })

  it('gives the same commands when the bytes are split at every offset', () => {
    const whole = normalise(frames(new CommandDecoder().push(sample)))
    for (let cut = 1; cut < sample.length; cut++) {
      const decoder = new CommandDecoder()
      const events = [...decoder.push(sample.subarray(0, cut)), ...decoder.push(sample.subarray(cut))]
      expect(normalise(frames(events))).toEqual(whole)
    }
  })

  it('reports garbage and unknown commands and resynchronises', () => {
    const decoder = new CommandDecoder()
    const events = decoder.push(Uint8Array.from([0x01, 0x1b, 0x99, 0x41, 0x0a, 0x10, 0x04, 0x02]))
    expect(events).toEqual([
      { kind: 'discarded', bytes: Uint8Array.of(0x01), reason: 'garbage' },
      { kind: 'discarded', bytes: Uint8Array.of(0x1b, 0x99), reason: 'unknown' },
      { kind: 'frame', frame: { type: 'text', bytes: Uint8Array.of(0x41) } },
      { kind: 'frame', frame: { type: 'lineFeed' } },
      { kind: 'frame', frame: { type: 'realtimeStatus', n: 2 } },
    ])
  })

  it('decodes DLE DC4 clear-buffers and refuses a look-alike', () => {
    expect(frames(new CommandDecoder().push(Uint8Array.from(DLE_DC4_CLEAR_BUFFERS)))).toEqual([
      { type: 'clearBuffers' },
    ])
    const events = new CommandDecoder().push(Uint8Array.from([0x10, 0x14, 0x07, 0x41]))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'unknown' })
  })

  it('discards a raster image larger than maxCommandBytes as overflow', () => {
    const decoder = new CommandDecoder({ maxCommandBytes: 100 })
    const events = decoder.push(Uint8Array.from([0x1d, 0x76, 0x30, 0x00, 0xff, 0x00, 0xff, 0x00, 0x41]))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'overflow' })
  })

  it('never throws on random bytes', () => {
    let seed = 42
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed & 0xff
    }
    const decoder = new CommandDecoder({ maxCommandBytes: 4096 })
    for (let round = 0; round < 200; round++) {
      const chunk = Uint8Array.from({ length: 64 }, random)
      expect(() => decoder.push(chunk)).not.toThrow()
    }
  })
})

describe('StatusDecoder', () => {
  it('tells real-time replies, ASB packets and GS r replies apart', () => {
    const events = new StatusDecoder().push(Uint8Array.from([0x12, 0x18, 0x00, 0x0c, 0x00, 0x0c, 0x7e]))
    expect(frames(events)).toEqual([
      { type: 'realtime', byte: 0x12 },
      { type: 'asb', bytes: [0x18, 0x00, 0x0c, 0x00] },
      { type: 'transmitStatus', byte: 0x0c },
      { type: 'realtime', byte: 0x7e },
    ])
  })

  it('reassembles an ASB packet split across chunks', () => {
    const decoder = new StatusDecoder()
    expect(decoder.push(Uint8Array.of(0x38, 0x00))).toEqual([])
    expect(frames(decoder.push(Uint8Array.of(0x00, 0x00)))).toEqual([{ type: 'asb', bytes: [0x38, 0, 0, 0] }])
  })

  it('discards a broken ASB packet and garbage, then resynchronises', () => {
    const events = new StatusDecoder().push(Uint8Array.from([0x10, 0xff, 0x80, 0x12]))
    expect(events).toEqual([
      { kind: 'discarded', bytes: Uint8Array.of(0x10), reason: 'garbage' },
      { kind: 'discarded', bytes: Uint8Array.of(0xff), reason: 'garbage' },
      { kind: 'discarded', bytes: Uint8Array.of(0x80), reason: 'garbage' },
      { kind: 'frame', frame: { type: 'realtime', byte: 0x12 } },
    ])
  })
})

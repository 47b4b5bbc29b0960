import { describe, expect, it } from 'vitest'
import { decodeCommand, encodeCommand, encodeCommandBody } from './commands.ts'
import { toHex } from './sam-id.ts'

describe('host commands', () => {
  it('encodes and decodes set max RF frame bytes (61 FF nn)', () => {
    const frame = encodeCommand({ type: 'setRfFrameSize', size: 0x50 })
    expect(toHex(frame.subarray(0, 10))).toBe('aaaaaa966900046 1ff50'.replace(' ', ''))
    expect(decodeCommand(encodeCommandBody({ type: 'setRfFrameSize', size: 0x50 }))).toEqual({
      ok: true,
      value: { type: 'setRfFrameSize', size: 0x50 },
    })
  })

  it('decodes every baud-rate Para and keeps unknown commands with their data', () => {
    for (const [para, baudRate] of [57600, 38400, 19200].entries()) {
      expect(decodeCommand(Uint8Array.of(0x60, para + 1))).toEqual({
        ok: true,
        value: { type: 'setBaudRate', baudRate },
      })
    }
    expect(decodeCommand(Uint8Array.of(0x60, 0x09))).toMatchObject({ ok: true, value: { type: 'unknown', cmd: 0x60 } })
    expect(decodeCommand(Uint8Array.of(0x20, 0x01, 0x99))).toMatchObject({
      ok: true,
      value: { type: 'unknown', cmd: 0x20, para: 0x01, data: Uint8Array.of(0x99) },
    })
    expect(decodeCommand(Uint8Array.of(0x20))).toMatchObject({ ok: false, error: { code: 'invalidData' } })
  })

  it('names the field on bad arguments', () => {
    expect(() => encodeCommand({ type: 'setBaudRate', baudRate: 4800 as 9600 })).toThrow(/baudRate/)
    expect(() => encodeCommand({ type: 'setRfFrameSize', size: 256 })).toThrow(/size/)
  })
})

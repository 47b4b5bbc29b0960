import { describe, expect, it } from 'vitest'
import resident from '../../fixtures/cards/resident-zhang-san.json' with { type: 'json' }
import frames from '../../fixtures/frames.json' with { type: 'json' }
import { encodeCardText } from './card-text-encoder.ts'
import { decodeCommand, encodeCommand, type SamCommand } from './commands.ts'
import { type DecodeEvent, encodeFrame, FrameDecoder } from './frame.ts'
import { encodeResponse } from './responses.ts'
import { toHex } from './sam-id.ts'

const hex = (s: string) => Uint8Array.from(s.replaceAll(' ', '').match(/../g) ?? [], (b) => Number.parseInt(b, 16))
const frameBodies = (events: DecodeEvent[]) => events.flatMap((e) => (e.kind === 'frame' ? [toHex(e.body)] : []))

/** The §1.10 worked example: 张三, zero photo. */
function workedExampleReply(): Uint8Array {
  const text = encodeCardText({ ...resident, cardType: 'resident', gender: 'male' })
  return encodeResponse({
    type: 'cardData',
    sw1: 0,
    sw2: 0,
    sw3: 0x90,
    text,
    photo: new Uint8Array(1024),
    fingerprints: undefined,
  })
}

describe('frame codec', () => {
  it.each(frames.commands)('encodes $command.type as in §1.3', ({ command, hex: expected }) => {
    expect(toHex(encodeCommand(command as SamCommand))).toBe(expected)
  })

  it.each(frames.commands)('decodes the §1.3 frame of $command.type back to the command', ({ command, hex: h }) => {
    const events = new FrameDecoder().push(hex(h))
    expect(events).toHaveLength(1)
    const event = events[0]!
    if (event.kind !== 'frame') throw new Error('expected a frame')
    expect(decodeCommand(event.body)).toEqual({ ok: true, value: command })
  })

  it.each(frames.statusReplies)('round-trips the §1.4 short reply with SW3 $sw3', ({ sw3, hex: h }) => {
    expect(toHex(encodeResponse({ type: 'status', sw1: 0, sw2: 0, sw3 }))).toBe(h.replaceAll(' ', ''))
    expect(frameBodies(new FrameDecoder().push(hex(h)))).toEqual([toHex(Uint8Array.of(0, 0, sw3))])
  })

  it('matches the §1.4 find and select replies', () => {
    const find = encodeResponse({ type: 'findCard', sw1: 0, sw2: 0, sw3: 0x9f, data: new Uint8Array(4) })
    const select = encodeResponse({ type: 'selectCard', sw1: 0, sw2: 0, sw3: 0x90, serial: new Uint8Array(8) })
    expect(toHex(find)).toBe(frames.findOk.replaceAll(' ', ''))
    expect(toHex(select)).toBe(frames.selectOk.replaceAll(' ', ''))
  })

  it('builds the §1.10 worked example: header, checksum 07, 1295 bytes', () => {
    const reply = workedExampleReply()
    expect(reply.length).toBe(frames.workedExample.total)
    expect(toHex(reply.subarray(0, 14))).toBe(frames.workedExample.header)
    expect(toHex(reply.subarray(-1))).toBe(frames.workedExample.checksum)
  })

  it('decodes every fixture split at every byte offset', () => {
    const fixtures = [
      ...frames.commands.map((c) => hex(c.hex)),
      hex(frames.findOk),
      hex(frames.selectOk),
      workedExampleReply(),
    ]
    for (const fixture of fixtures) {
      const whole = frameBodies(new FrameDecoder().push(fixture))
      expect(whole).toHaveLength(1)
      for (let split = 1; split < fixture.length; split++) {
        const decoder = new FrameDecoder()
        const events = [...decoder.push(fixture.subarray(0, split)), ...decoder.push(fixture.subarray(split))]
        expect(frameBodies(events)).toEqual(whole)
        expect(events.filter((e) => e.kind === 'discarded')).toEqual([])
        expect(decoder.pending).toBe(0)
      }
    }
  })

  it('decodes several frames merged into one chunk, and byte by byte', () => {
    const all = frames.commands.map((c) => hex(c.hex))
    const merged = Uint8Array.from(all.flatMap((f) => [...f]))
    expect(frameBodies(new FrameDecoder().push(merged))).toHaveLength(all.length)
    const decoder = new FrameDecoder()
    const events = [...merged].flatMap((b) => decoder.push(Uint8Array.of(b)))
    expect(frameBodies(events)).toHaveLength(all.length)
  })

  it('resyncs after garbage and reports it as discarded', () => {
    const find = hex(frames.commands[3]!.hex)
    const input = Uint8Array.from([0x00, 0x13, 0x37, 0xaa, 0x55, ...find, 0xff, 0xfe, ...find])
    const events = new FrameDecoder().push(input)
    expect(frameBodies(events)).toEqual(['2001', '2001'])
    const discarded = events.filter((e) => e.kind === 'discarded')
    expect(discarded.map((e) => [e.reason, toHex(e.bytes)])).toEqual([
      ['garbage', '001337aa55'],
      ['garbage', 'fffe'],
    ])
  })

  it('syncs on the stray `AA 00 AA AA 96 69` preamble seen in the field (§1.2)', () => {
    const find = hex(frames.commands[3]!.hex)
    const stray = Uint8Array.from([0xaa, 0x00, ...find.subarray(1)])
    const events = new FrameDecoder().push(stray)
    expect(frameBodies(events)).toEqual(['2001'])
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'garbage' })
  })

  it('discards a frame with a wrong checksum and keeps decoding the next one', () => {
    const bad = hex(frames.commands[3]!.hex)
    bad[bad.length - 1]! ^= 0x01
    const good = hex(frames.commands[4]!.hex)
    const events = new FrameDecoder().push(Uint8Array.from([...bad, ...good]))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'checksum' })
    expect(frameBodies(events)).toEqual(['2002'])
  })

  it('caps the length: an oversize claim is discarded as overflow and decoding goes on', () => {
    const decoder = new FrameDecoder({ maxLength: 100 })
    const good = hex(frames.commands[0]!.hex)
    const events = decoder.push(Uint8Array.from([0xaa, 0xaa, 0xaa, 0x96, 0x69, 0xff, 0xff, 1, 2, 3, ...good]))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'overflow' })
    expect(frameBodies(events)).toEqual(['10ff'])
    expect(() => new FrameDecoder({ maxLength: 2 })).toThrow(TypeError)
  })

  it('reset() drops a stale partial frame', () => {
    const decoder = new FrameDecoder()
    decoder.push(hex(frames.commands[0]!.hex).subarray(0, 8))
    expect(decoder.pending).toBe(8)
    expect(decoder.reset()).toHaveLength(8)
    expect(decoder.pending).toBe(0)
  })

  it('never throws on random bytes, never buffers without bound, and recovers afterwards', () => {
    let seed = 0x2545f491
    const rand = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 0x100000000
    }
    const decoder = new FrameDecoder({ maxLength: 300 })
    for (let round = 0; round < 2000; round++) {
      const chunk = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () =>
        // Bias toward preamble bytes so partial and false frames really happen.
        rand() < 0.3 ? [0xaa, 0x96, 0x69][Math.floor(rand() * 3)]! : Math.floor(rand() * 256),
      )
      expect(() => decoder.push(chunk)).not.toThrow()
      expect(decoder.pending).toBeLessThanOrEqual(300 + 7 + 64)
    }
    decoder.reset()
    expect(frameBodies(decoder.push(hex(frames.commands[5]!.hex)))).toEqual(['3001'])
  })

  it('rejects a body too long for a 16-bit length', () => {
    expect(() => encodeFrame(new Uint8Array(0x10000))).toThrow(TypeError)
  })
})

import { describe, expect, it } from 'vitest'
import { encodeHidPacket, HID_FLAG_REPLY, HID_FLAG_REQUEST, HidPacketDecoder } from './hid-wrapper.ts'

const packet = { flag: HID_FLAG_REPLY, srn: 0x1234, cmd: 1, payload: Uint8Array.from({ length: 150 }, (_, i) => i) }

describe('vendor HID wrapper', () => {
  it('encodes flag, SRN and length little-endian with a 16-bit additive sum', () => {
    const bytes = encodeHidPacket({ flag: HID_FLAG_REQUEST, srn: 0x0102, cmd: 1, payload: Uint8Array.of(0xaa, 0x10) })
    expect([...bytes]).toEqual([0x88, 0x02, 0x01, 0x03, 0x00, 0x01, 0xaa, 0x10, 0x49, 0x01])
  })

  it('reassembles a packet cut into zero-padded 64-byte reports, at any chunking', () => {
    const bytes = encodeHidPacket(packet)
    const reports: Uint8Array[] = []
    for (let at = 0; at < bytes.length; at += 64) {
      const r = new Uint8Array(64)
      r.set(bytes.subarray(at, at + 64))
      reports.push(r)
    }
    const decoder = new HidPacketDecoder(HID_FLAG_REPLY)
    const events = [...reports, ...reports].flatMap((r) => decoder.push(r))
    expect(events).toEqual([
      { kind: 'packet', packet },
      { kind: 'packet', packet },
    ])
    for (let split = 1; split < bytes.length; split++) {
      const d = new HidPacketDecoder(HID_FLAG_REPLY)
      expect([...d.push(bytes.subarray(0, split)), ...d.push(bytes.subarray(split))]).toEqual([
        { kind: 'packet', packet },
      ])
    }
  })

  it('reports garbage and bad sums, then recovers', () => {
    const good = encodeHidPacket(packet)
    const bad = Uint8Array.from(good)
    bad[10]! ^= 0xff
    const events = new HidPacketDecoder(HID_FLAG_REPLY).push(Uint8Array.from([0x13, 0, ...bad, ...good]))
    expect(events.map((e) => (e.kind === 'packet' ? 'packet' : e.reason))).toEqual(['garbage', 'checksum', 'packet'])
  })

  it('rejects an SRN out of range', () => {
    expect(() => encodeHidPacket({ ...packet, srn: 70000 })).toThrow(/srn/)
  })
})

import { describe, expect, it } from 'vitest'
import { decodeCardText } from './card-text.ts'
import { encodeCardText } from './card-text-encoder.ts'
import { genderCode, nationFromCode } from './code-tables.ts'
import { encodeHidPacket, HID_FLAG_REPLY, HidPacketDecoder } from './hid-wrapper.ts'
import { formatSamId } from './sam-id.ts'
import { isSamSuccess, samStatusCode } from './sam-status.ts'
import { decodeUcs2, writeUcs2 } from './ucs2.ts'

const base = {
  name: 'X',
  gender: 'unspecified' as const,
  nation: '',
  birthDate: '1990-01-01',
  address: '',
  idNumber: '1',
  issuingAuthority: '',
  validFrom: '20200101',
  validTo: '2030-1-1',
}

describe('codec edge cases', () => {
  it('writes optional fields of foreign cards and permits as blanks, and odd dates as given', () => {
    const foreign = decodeCardText(encodeCardText({ ...base, cardType: 'foreignPermanent' }))
    expect(foreign).toMatchObject({ chineseName: '', cardVersion: '', gender: 'unspecified', validTo: '2030-1-1' })
    const permit = decodeCardText(encodeCardText({ ...base, cardType: 'hkMacauTaiwan' }))
    expect(permit).toMatchObject({ passNumber: '', cardVersion: '', validFrom: '2020-01-01' })
  })

  it('rejects table values it does not know and text outside UCS-2', () => {
    expect(() => genderCode('other' as 'male')).toThrow(/gender/)
    expect(nationFromCode('01')).toBe('汉')
    expect(() => writeUcs2(new Uint8Array(4), 0, 4, '😀', 'name')).toThrow(/UCS-2/)
    expect(decodeUcs2(Uint8Array.of(0x41, 0, 0x42), 0, 3)).toBe('A')
    expect(() => samStatusCode('unknown' as 'success')).toThrow(TypeError)
    expect(isSamSuccess(0x9f)).toBe(true)
    expect(isSamSuccess(0x80)).toBe(false)
    expect(() => formatSamId(new Uint8Array(3))).toThrow(/16 bytes/)
  })

  it('discards a HID packet claiming an oversize length, and reset() drops a partial one', () => {
    const decoder = new HidPacketDecoder(HID_FLAG_REPLY, 16)
    const events = decoder.push(Uint8Array.of(HID_FLAG_REPLY, 0, 0, 0xff, 0x7f, 1, 0, 0))
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'overflow' })
    const packet = encodeHidPacket({ flag: HID_FLAG_REPLY, srn: 1, cmd: 1, payload: Uint8Array.of(1, 2, 3) })
    decoder.push(packet.subarray(0, 5))
    decoder.reset()
    expect(decoder.push(packet)).toEqual([
      { kind: 'packet', packet: { flag: HID_FLAG_REPLY, srn: 1, cmd: 1, payload: Uint8Array.of(1, 2, 3) } },
    ])
    expect(() => encodeHidPacket({ flag: 0x88, srn: 0, cmd: 1, payload: new Uint8Array(0x10000) })).toThrow(TypeError)
  })
})

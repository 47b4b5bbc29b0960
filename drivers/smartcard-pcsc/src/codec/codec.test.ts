import { describe, expect, it } from 'vitest'
import { decodeCommandApdu, decodeResponseApdu, encodeCommandApdu, encodeResponseApdu, toHex } from './apdu.ts'
import { pcscFailureDetail, pcscReturnCode } from './pcsc-errors.ts'
import {
  decodeItem,
  encodeItem,
  encodeRecord,
  packBcd,
  parseRecord,
  readRecord,
  selectFile,
  selectSsse,
  unpackBcd,
  verifyPin,
} from './ssse.ts'
import { statusWordMeaning } from './status-words.ts'
import { encodeVpcdMessage, VpcdDecoder } from './vpcd.ts'

describe('SSSE commands (§6)', () => {
  it('encodes the commands byte for byte as the reference lists them', () => {
    expect(toHex(encodeCommandApdu(selectSsse()))).toBe('00a404000f7378312e73682ec9e7bbe1b1a3d5cf')
    expect(toHex(encodeCommandApdu(selectFile(0xef05)))).toBe('00a4020002ef05')
    expect(toHex(encodeCommandApdu(readRecord(7, 0x0b)))).toBe('00b207040b')
    expect(toHex(encodeCommandApdu(verifyPin('123456')))).toBe('0020000003123456')
    expect(toHex(encodeCommandApdu(verifyPin('12345')))).toBe('00200000031234' + '5f')
  })

  it('round-trips command and response APDUs of all four cases', () => {
    for (const apdu of [
      { cla: 0, ins: 0x84, p1: 0, p2: 0 },
      { cla: 0, ins: 0xb2, p1: 1, p2: 4, le: 256 },
      { cla: 0, ins: 0xa4, p1: 2, p2: 0, data: Uint8Array.of(0xef, 6) },
      { cla: 0, ins: 0xa4, p1: 4, p2: 0, data: Uint8Array.of(1, 2, 3), le: 16 },
    ]) {
      expect(decodeCommandApdu(encodeCommandApdu(apdu))).toEqual(apdu)
    }
    expect(decodeResponseApdu(encodeResponseApdu(Uint8Array.of(1, 2), 0x9000))).toEqual({
      data: Uint8Array.of(1, 2),
      sw1: 0x90,
      sw2: 0,
      sw: 0x9000,
    })
    expect(decodeResponseApdu(Uint8Array.of(0x90))).toBeUndefined()
    for (const bad of [
      Uint8Array.of(0, 1, 2),
      Uint8Array.of(0, 1, 2, 3, 0, 9),
      Uint8Array.of(0, 1, 2, 3, 2, 9),
      Uint8Array.of(0, 1, 2, 3, 1, 9, 9, 9),
    ]) {
      expect(decodeCommandApdu(bad)).toBeUndefined()
    }
  })

  it('rejects bad arguments with TypeErrors that name the field and never echo a PIN', () => {
    expect(() => encodeCommandApdu({ cla: 0, ins: 300, p1: 0, p2: 0 })).toThrow(/ins/)
    expect(() => encodeCommandApdu({ cla: 0, ins: 0, p1: 0, p2: 0, data: new Uint8Array(256) })).toThrow(/data/)
    expect(() => encodeCommandApdu({ cla: 0, ins: 0, p1: 0, p2: 0, le: 0 })).toThrow(/le/)
    expect(() => verifyPin('12a456')).toThrow('pin must be 4 to 12 digits')
    expect(() => selectFile(0)).toThrow(/fileId/)
    expect(() => readRecord(0, 1)).toThrow(/record/)
    expect(() => encodeResponseApdu(new Uint8Array(0), 0x10000)).toThrow(/sw/)
    expect(() => packBcd('1a')).toThrow(TypeError)
  })

  it('decodes TLV records and the an, cn, GBK and date encodings', () => {
    const name = encodeItem('王小明', 'gbk', 30, 'name')
    expect(name).toHaveLength(30)
    expect(decodeItem(parseRecord(2, encodeRecord(2, name))!, 'gbk')).toBe('王小明')
    expect(decodeItem(encodeItem('2031-03-15', 'date', 4, 'd'), 'date')).toBe('2031-03-15')
    expect(decodeItem(encodeItem('01', 'cn', 1, 'n'), 'cn')).toBe('01')
    expect(decodeItem(encodeItem('A520', 'an', 9, 'c'), 'an')).toBe('A520')
    expect(decodeItem(Uint8Array.of(0x12, 0x3f), 'date')).toBe('123')
    expect(unpackBcd(Uint8Array.of(0x1a))).toBe('1?')
    expect(parseRecord(1, Uint8Array.of(2, 1, 0))).toBeUndefined()
    expect(parseRecord(1, Uint8Array.of(1, 5, 0))).toBeUndefined()
    expect(() => encodeItem('太长了的名字超过了三十个字节的限制真的很长很长很长', 'gbk', 30, 'holder.name')).toThrow(
      /holder.name/,
    )
    expect(() => encodeItem('é', 'an', 3, 'info.x')).toThrow(/info.x/)
    expect(() => encodeRecord(1, new Uint8Array(300))).toThrow(TypeError)
  })

  it('reads status words', () => {
    expect(statusWordMeaning(0x9000)).toEqual({ kind: 'ok' })
    expect(statusWordMeaning(0x6110)).toEqual({ kind: 'moreData', available: 16 })
    expect(statusWordMeaning(0x6c0b)).toEqual({ kind: 'wrongLe', exact: 11 })
    expect(statusWordMeaning(0x63c2)).toEqual({ kind: 'pinWrong', triesLeft: 2 })
    expect(statusWordMeaning(0x6983)).toEqual({ kind: 'pinBlocked' })
    expect(statusWordMeaning(0x6982)).toEqual({ kind: 'securityNotSatisfied' })
    expect(statusWordMeaning(0x6a83)).toEqual({ kind: 'notFound' })
    expect(statusWordMeaning(0x6f00)).toEqual({ kind: 'error', sw: 0x6f00 })
  })

  it('maps PC/SC errors by return code', () => {
    expect(pcscReturnCode('SCardTransmit error: Card was removed.(0x80100069)')).toBe(0x80100069)
    expect(pcscFailureDetail('SCardTransmit error: Card was removed.(0x80100069)')).toBe('mediaRemoved')
    expect(pcscFailureDetail('SCardConnect error: No smart card inserted.(0x8010000c)')).toBe('noMedia')
    expect(pcscFailureDetail('SCardEstablishContext error: Service not available.(0x8010001d)')).toBe(
      'serviceUnavailable',
    )
    expect(pcscFailureDetail('card removed')).toBe('mediaRemoved')
    expect(pcscFailureDetail('Transaction failed.(0x80100016)')).toBe('readFailed')
  })
})

describe('vpcd framing', () => {
  it('decodes control codes and APDUs split at every offset, skipping empty messages', () => {
    const apdu = encodeCommandApdu(selectSsse())
    const wire = Uint8Array.from([
      ...encodeVpcdMessage(Uint8Array.of(1)),
      ...encodeVpcdMessage(Uint8Array.of(4)),
      0,
      0,
      ...encodeVpcdMessage(apdu),
      ...encodeVpcdMessage(Uint8Array.of(2)),
      ...encodeVpcdMessage(Uint8Array.of(0)),
      ...encodeVpcdMessage(Uint8Array.of(9)),
    ])
    for (let cut = 0; cut <= wire.length; cut++) {
      const decoder = new VpcdDecoder()
      const messages = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut))]
      expect(messages).toEqual([
        { kind: 'powerOn' },
        { kind: 'getAtr' },
        { kind: 'apdu', apdu },
        { kind: 'reset' },
        { kind: 'powerOff' },
        { kind: 'unknownControl', code: 9 },
      ])
    }
    expect(() => encodeVpcdMessage(new Uint8Array(70_000))).toThrow(TypeError)
  })
})

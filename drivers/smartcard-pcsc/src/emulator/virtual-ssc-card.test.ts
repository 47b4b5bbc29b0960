import { describe, expect, it } from 'vitest'
import blockedFile from '../../fixtures/cards/pin-blocked-li-xiuying.json' with { type: 'json' }
import wangFile from '../../fixtures/cards/wang-xiaoming.json' with { type: 'json' }
import { decodeResponseApdu, encodeCommandApdu, readRecord, selectFile, selectSsse, verifyPin } from '../codec/index.ts'
import { parseSscCardFile, SAMPLE_SSC_CARD } from './ssc-card-data.ts'
import { VirtualSscCard } from './virtual-ssc-card.ts'

const send = (card: VirtualSscCard, apdu: Parameters<typeof encodeCommandApdu>[0]) =>
  decodeResponseApdu(card.process(encodeCommandApdu(apdu)))!.sw.toString(16)

describe('VirtualSscCard', () => {
  it('guards EF06 with the PIN, counts tries down and blocks, and forgets verification on reset', () => {
    const card = new VirtualSscCard({ ...SAMPLE_SSC_CARD, pinTries: 2 })
    expect(send(card, selectFile(0xef05))).toBe('6a82')
    expect(send(card, verifyPin('123456'))).toBe('6985')
    expect(send(card, selectSsse())).toBe('9000')
    expect(send(card, selectFile(0xef06))).toBe('9000')
    expect(send(card, readRecord(1, 20))).toBe('6982')
    expect(send(card, verifyPin('123456'))).toBe('9000')
    expect(send(card, readRecord(1, 20))).toBe('9000')
    expect(send(card, readRecord(1, 4))).toBe('6c14')
    expect(send(card, readRecord(9, 4))).toBe('6a83')
    card.reset()
    expect(send(card, selectSsse())).toBe('9000')
    expect(send(card, verifyPin('000000'))).toBe('63c1')
    expect(send(card, verifyPin('000000'))).toBe('6983')
    expect(send(card, verifyPin('123456'))).toBe('6983')
    expect(card.pinTriesLeft).toBe(0)
  })

  it('answers malformed and unsupported commands with status words', () => {
    const card = new VirtualSscCard(SAMPLE_SSC_CARD)
    expect(decodeResponseApdu(card.process(Uint8Array.of(0, 1)))!.sw).toBe(0x6700)
    expect(send(card, { cla: 0x80, ins: 0xa4, p1: 4, p2: 0 })).toBe('6e00')
    expect(send(card, { cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 })).toBe('6d00')
    expect(send(card, { cla: 0, ins: 0xa4, p1: 4, p2: 0, data: Uint8Array.of(1) })).toBe('6a82')
    expect(send(card, { cla: 0, ins: 0xa4, p1: 8, p2: 0, data: Uint8Array.of(1) })).toBe('6b00')
    expect(send(card, { cla: 0, ins: 0xb2, p1: 1, p2: 0, le: 1 })).toBe('6b00')
    expect(send(card, readRecord(1, 1))).toBe('6985')
    expect(card.instructions).not.toHaveLength(0)
  })

  it('validates card files', () => {
    expect(parseSscCardFile(JSON.parse(JSON.stringify(SAMPLE_SSC_CARD)))).toEqual(SAMPLE_SSC_CARD)
    expect(() => parseSscCardFile(null)).toThrow(/object/)
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, pin: '12' })).toThrow(/pin/)
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, pinTries: 16 })).toThrow(/pinTries/)
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, pinTries: -1 })).toThrow(/pinTries/)
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, info: undefined })).toThrow(/info/)
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, holder: { ...SAMPLE_SSC_CARD.holder, name: 5 } })).toThrow(
      /holder.name/,
    )
    expect(() => parseSscCardFile({ ...SAMPLE_SSC_CARD, info: { ...SAMPLE_SSC_CARD.info, cardType: 1 } })).toThrow(
      /info.cardType/,
    )
  })

  it('reads the fixture cards: the sample card, and a card whose PIN is blocked even to the right PIN', () => {
    expect(parseSscCardFile(wangFile)).toEqual(SAMPLE_SSC_CARD)
    const blocked = new VirtualSscCard(parseSscCardFile(blockedFile))
    expect(blocked.pinTriesLeft).toBe(0)
    expect(send(blocked, selectSsse())).toBe('9000')
    expect(send(blocked, verifyPin(blockedFile.pin))).toBe('6983')
  })
})

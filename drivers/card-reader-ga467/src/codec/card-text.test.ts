import { describe, expect, it } from 'vitest'
import foreign from '../../fixtures/cards/foreign-permanent.json' with { type: 'json' }
import permit from '../../fixtures/cards/hk-macau-taiwan.json' with { type: 'json' }
import badCheck from '../../fixtures/cards/resident-bad-check-digit.json' with { type: 'json' }
import withFp from '../../fixtures/cards/resident-fingerprints.json' with { type: 'json' }
import zhangSan from '../../fixtures/cards/resident-zhang-san.json' with { type: 'json' }
import { decodeCardText, formatCardDate } from './card-text.ts'
import { type CardTextInput, encodeCardText } from './card-text-encoder.ts'
import { genderFromCode, genderZh, NATIONS, nationCode, nationFromCode } from './code-tables.ts'
import { toHex } from './sam-id.ts'

const asInput = (json: object) => json as CardTextInput
const hex = (s: string) => s.replaceAll(' ', '').toLowerCase()

describe('card text block', () => {
  it('lays out the §1.10 worked example byte for byte', () => {
    const text = encodeCardText(asInput(zhangSan))
    expect(text).toHaveLength(256)
    expect(toHex(text.subarray(0, 32))).toBe(hex('20 5F 09 4E' + ' 20 00'.repeat(13) + ' 31 00'))
    expect(toHex(text.subarray(32, 36))).toBe('30003100')
    expect(toHex(text.subarray(52, 76))).toBe(
      hex('17 53 AC 4E 02 5E 1C 4E CE 57 3A 53 3A 79 8B 4F 57 88 53 90 31 00 F7 53'),
    )
    expect(toHex(text.subarray(122, 158))).toBe(
      hex(
        '31 00 31 00 30 00 31 00 30 00 31 00 31 00 39 00 39 00 30 00 30 00 33 00 30 00 37 00 30 00 30 00 32 00 58 00',
      ),
    )
    expect(toHex(text.subarray(158, 178))).toBe(hex('17 53 AC 4E 02 5E 6C 51 89 5B 40 5C 1C 4E CE 57 06 52 40 5C'))
    expect(toHex(text.subarray(220))).toBe('2000'.repeat(18))
  })

  it('decodes a resident ID card', () => {
    expect(decodeCardText(encodeCardText(asInput(zhangSan)))).toEqual({
      cardType: 'resident',
      name: '张三',
      gender: 'male',
      nation: '汉',
      birthDate: '1990-03-07',
      address: '北京市东城区示例街道1号',
      idNumber: '11010119900307002X',
      idNumberCheck: 'valid',
      issuingAuthority: '北京市公安局东城分局',
      validFrom: '2020-01-01',
      validTo: '2030-01-01',
    })
  })

  it('reads a valid-to of 长期 as long-term, and a non-Han nation', () => {
    const card = decodeCardText(encodeCardText(asInput(withFp)))
    expect(card.validTo).toBe('long-term')
    expect(card.nation).toBe('维吾尔')
    expect(card.gender).toBe('female')
    const raw = encodeCardText(asInput(withFp))
    expect(toHex(raw.subarray(204, 208))).toBe(hex('7F 95 1F 67'))
  })

  it('reports, and does not hide, a card whose check digit is wrong', () => {
    const card = decodeCardText(encodeCardText(asInput(badCheck)))
    expect(card.idNumber).toBe('440304197811224560')
    expect(card.idNumberCheck).toBe('invalid')
    expect(card.name).toBe('李四')
  })

  it("decodes a foreign permanent resident card by the 'I' marker", () => {
    const text = encodeCardText(asInput(foreign))
    expect(toHex(text.subarray(248, 250))).toBe('4900')
    expect(decodeCardText(text)).toEqual({
      cardType: 'foreignPermanent',
      name: 'SMITH JOHN',
      chineseName: '史密斯约翰',
      gender: 'male',
      nation: 'CAN',
      birthDate: '1979-01-01',
      address: '',
      idNumber: 'CAN110079010101',
      idNumberCheck: 'notApplicable',
      issuingAuthority: '1100',
      validFrom: '2017-06-01',
      validTo: '2027-06-01',
      cardVersion: '01',
    })
  })

  it("decodes a Hong Kong/Macau/Taiwan residence permit by the 'J' marker", () => {
    const text = encodeCardText(asInput(permit))
    expect(toHex(text.subarray(248, 250))).toBe('4a00')
    expect(decodeCardText(text)).toEqual({
      cardType: 'hkMacauTaiwan',
      name: '陈大文',
      gender: 'male',
      nation: '',
      birthDate: '1994-08-23',
      address: '广东省深圳市福田区示例路1号',
      idNumber: '810000199408230021',
      idNumberCheck: 'valid',
      issuingAuthority: '深圳市公安局',
      validFrom: '2019-01-01',
      validTo: '2024-01-01',
      passNumber: 'H12345678',
      cardVersion: '01',
    })
  })

  it('keeps odd dates and unknown codes visible instead of dropping them', () => {
    expect(formatCardDate('2020013')).toBe('2020013')
    expect(nationFromCode('77')).toBe('77')
    expect(genderFromCode('5')).toBe('unknown')
    const text = new Uint8Array(256).fill(0x20)
    expect(() => decodeCardText(text)).not.toThrow()
    expect(() => decodeCardText(new Uint8Array(10))).toThrow(TypeError)
  })

  it('has the full gender and nation tables of §1.8', () => {
    expect(Object.keys(NATIONS)).toHaveLength(58)
    expect(NATIONS['56']).toBe('基诺')
    expect(nationCode('外国血统中国籍人士')).toBe('98')
    expect(['0', '1', '2', '9'].map(genderFromCode)).toEqual(['unknown', 'male', 'female', 'unspecified'])
    expect(genderZh('female')).toBe('女')
  })

  it('names the field when the encoder gets bad input', () => {
    expect(() => encodeCardText({ ...asInput(zhangSan), name: '一二三四五六七八九十一二三四五六' })).toThrow(/name/)
    expect(() => encodeCardText({ ...asInput(zhangSan), nation: '火星' })).toThrow(/nation/)
  })
})

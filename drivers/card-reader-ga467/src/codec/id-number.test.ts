import { describe, expect, it } from 'vitest'
import { checkIdNumber, idNumberCheckDigit } from './id-number.ts'

describe('MOD 11-2 check digit', () => {
  it.each([
    ['11010119900307002X', 'valid'],
    ['11010119900307002x', 'valid'],
    ['932682198501010017', 'valid'],
    ['911124198108030024', 'valid'],
    ['110101199003070021', 'invalid'],
    ['11010119900307A02X', 'invalid'],
    ['CAN110079010101', 'notApplicable'],
    ['', 'notApplicable'],
  ] as const)('%s is %s', (id, expected) => {
    expect(checkIdNumber(id)).toBe(expected)
  })

  it('computes X for a remainder of 2', () => {
    expect(idNumberCheckDigit('11010119900307002')).toBe('X')
    expect(idNumberCheckDigit('1101011990030700')).toBeUndefined()
  })
})

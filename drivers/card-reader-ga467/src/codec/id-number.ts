import type { IdNumberCheck } from '@drivers/core'

/** GB 11643 MOD 11-2 weights for the first 17 digits. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** The check character (0-9 or X) for 17 digits, or undefined when they are not 17 digits. */
export function idNumberCheckDigit(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARS[sum % 11]
}

/** `valid`/`invalid` for an 18-character number; `notApplicable` for anything else (2017 foreign cards). */
export function checkIdNumber(idNumber: string): IdNumberCheck {
  if (idNumber.length !== 18) return 'notApplicable'
  const expected = idNumberCheckDigit(idNumber.slice(0, 17))
  return expected !== undefined && expected === idNumber[17]!.toUpperCase() ? 'valid' : 'invalid'
}

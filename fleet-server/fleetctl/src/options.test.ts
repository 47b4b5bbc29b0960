import { describe, expect, it } from 'vitest'
import { FleetctlError } from './api-client.ts'
import { list, parseDuration, parseFraction, parseGroups, parseSize } from './options.ts'

const usage = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return err instanceof FleetctlError ? err.exitCode : -1
  }
  return 0
}

describe('option parsing', () => {
  it('reads group sizes as counts and cumulative percentages', () => {
    expect(parseGroups('2, 25%,100%')).toEqual([{ count: 2 }, { percent: 25 }, { percent: 100 }])
    expect(parseGroups('12.5%')).toEqual([{ percent: 12.5 }])
    for (const bad of ['', '0', '-1', '150%', '0%', 'two', '50%,25%'])
      expect(
        usage(() => parseGroups(bad)),
        bad,
      ).toBe(2)
  })

  it('reads durations with units, fractions and percentages, sizes', () => {
    expect(parseDuration('1h', 't')).toBe(3_600_000)
    expect(parseDuration('90m', 't')).toBe(5_400_000)
    expect(parseDuration('1.5s', 't')).toBe(1500)
    expect(parseDuration('250', 't')).toBe(250)
    expect(parseDuration('2d', 't')).toBe(172_800_000)
    for (const bad of ['soon', '0', '-1h', '1w'])
      expect(
        usage(() => parseDuration(bad, 't')),
        bad,
      ).toBe(2)
    expect(parseFraction('0.9', 'f')).toBe(0.9)
    expect(parseFraction('90%', 'f')).toBe(0.9)
    for (const bad of ['1.5', '-0.1', '120%', 'x'])
      expect(
        usage(() => parseFraction(bad, 'f')),
        bad,
      ).toBe(2)
    expect(parseSize('256k', 's')).toBe(262_144)
    expect(parseSize('4M', 's')).toBe(4_194_304)
    expect(parseSize('1MiB', 's')).toBe(1_048_576)
    expect(parseSize('1000', 's')).toBe(1000)
    for (const bad of ['0', 'big', '1G'])
      expect(
        usage(() => parseSize(bad, 's')),
        bad,
      ).toBe(2)
  })

  it('splits comma lists and appends repeated options', () => {
    expect(list('id, tax,,comprehensive')).toEqual(['id', 'tax', 'comprehensive'])
    expect(list('b', ['a'])).toEqual(['a', 'b'])
  })
})

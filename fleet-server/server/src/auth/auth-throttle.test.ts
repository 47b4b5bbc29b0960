import { describe, expect, it } from 'vitest'
import { DEFAULT_THROTTLE_POLICY, lockAfter } from './auth-throttle.ts'

describe('lockout backoff', () => {
  it('lets the free failures pass, then doubles the lock up to its cap', () => {
    const locks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 40].map((n) => lockAfter(n, DEFAULT_THROTTLE_POLICY))
    expect(locks).toEqual([0, 0, 0, 0, 0, 30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000])
  })
})

import { describe, expect, it } from 'vitest'
import { SeqGapTracker } from './seq-gaps.ts'

describe('sequence gaps', () => {
  it('forgives messages of other topics that arrive out of order within the grace period', () => {
    let now = 0
    const gaps = new SeqGapTracker(30_000, () => now)
    // A reconnect: birth 1, device statuses 2–4, health 5, delivered 1, 5, 2, 4, 3.
    for (const seq of [1, 5, 2, 4, 3]) expect(gaps.seen('k1', seq)).toEqual([])
    now = 60_000
    expect(gaps.expired()).toEqual([])
  })

  it('reports numbers that never came once the grace period passed, as runs, once', () => {
    let now = 0
    const gaps = new SeqGapTracker(30_000, () => now)
    for (const seq of [10, 11, 15, 16, 20]) gaps.seen('k1', seq)
    gaps.seen('k2', 1)
    gaps.seen('k2', 3)
    now = 10_000
    gaps.seen('k1', 13)
    expect(gaps.expired()).toEqual([])
    now = 30_000
    expect(gaps.expired()).toEqual([
      { kioskId: 'k1', from: 12, to: 12 },
      { kioskId: 'k1', from: 14, to: 14 },
      { kioskId: 'k1', from: 17, to: 19 },
      { kioskId: 'k2', from: 2, to: 2 },
    ])
    expect(gaps.expired()).toEqual([])
    // A late arrival after being reported changes nothing more.
    gaps.seen('k1', 12)
    now = 90_000
    expect(gaps.expired()).toEqual([])
  })

  it('counts retained deliveries as arrived, without letting an old one set where the stream is', () => {
    let now = 0
    const gaps = new SeqGapTracker(30_000, () => now)
    // A retained replay first: it may be old, so it sets nothing.
    gaps.seen('k1', 50, true)
    gaps.seen('k1', 1)
    gaps.seen('k1', 2)
    // Health 3 and device status 4 come flagged retained, before the live event 5.
    gaps.seen('k1', 3, true)
    gaps.seen('k1', 4, true)
    gaps.seen('k1', 5)
    gaps.seen('k1', 8)
    gaps.seen('k1', 6, true)
    now = 60_000
    expect(gaps.expired()).toEqual([{ kioskId: 'k1', from: 7, to: 7 }])
  })

  it('reports a jump too large to remember at once', () => {
    const gaps = new SeqGapTracker(30_000, () => 0, 100)
    gaps.seen('k1', 1)
    expect(gaps.seen('k1', 1_000)).toEqual([{ kioskId: 'k1', from: 2, to: 999 }])
    expect(gaps.expired()).toEqual([])
  })

  it('expires each hole at its own deadline, and only the kiosks that have holes are looked at', () => {
    let now = 0
    const gaps = new SeqGapTracker(30_000, () => now)
    for (let i = 0; i < 1_000; i++) gaps.seen(`quiet-${i}`, 1)
    gaps.seen('k1', 1)
    gaps.seen('k1', 3) // 2 missed at 0
    now = 20_000
    gaps.seen('k1', 6) // 4 and 5 missed at 20 s
    now = 30_000
    expect(gaps.expired()).toEqual([{ kioskId: 'k1', from: 2, to: 2 }])
    gaps.seen('k1', 4) // late, within its grace
    now = 50_000
    expect(gaps.expired()).toEqual([{ kioskId: 'k1', from: 5, to: 5 }])
    now = 500_000
    expect(gaps.expired()).toEqual([])
  })
})

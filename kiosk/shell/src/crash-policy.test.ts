import { describe, expect, it } from 'vitest'
import { CrashPolicy } from './crash-policy.ts'

describe('renderer crash policy', () => {
  const policy = () => new CrashPolicy({ maxCrashes: 3, windowMs: 600_000, coolDownMs: 60_000 })

  it('reloads after a crash, and after crashes spread over time', () => {
    const p = policy()
    for (let i = 0; i < 10; i++) expect(p.crashed(i * 700_000)).toEqual({ action: 'reload' })
  })

  it('shows the out-of-service page after repeated crashes, then starts counting again', () => {
    const p = policy()
    expect([p.crashed(0), p.crashed(1000), p.crashed(2000)].map((d) => d.action)).toEqual([
      'reload',
      'reload',
      'reload',
    ])
    expect(p.crashed(3000)).toEqual({ action: 'outOfService', retryInMs: 60_000 })
    expect(p.recentCrashes).toBe(0)
    expect(p.crashed(70_000)).toEqual({ action: 'reload' })
  })
})

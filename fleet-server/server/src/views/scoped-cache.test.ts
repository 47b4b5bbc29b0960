import { describe, expect, it } from 'vitest'
import type { Principal } from '../auth/roles.ts'
import { ScopedCache } from './scoped-cache.ts'

const principal = (role: Principal['role'], scope: Partial<Principal> = {}): Principal => ({
  userId: role,
  displayName: role,
  role,
  departments: [],
  sites: [],
  vendors: [],
  ...scope,
})

interface Answer {
  total: number
}

/** A fake view that answers with a running count, so each computed answer is distinguishable. */
function counting() {
  const calls: Principal[] = []
  let release: (() => void) | undefined
  let gate: Promise<void> | undefined
  return {
    calls,
    hold() {
      gate = new Promise<void>((r) => {
        release = r
      })
    },
    release: () => release?.(),
    compute: async (p: Principal): Promise<Answer> => {
      calls.push(p)
      const n = calls.length
      await gate
      return { total: n }
    },
  }
}

describe('scoped cache', () => {
  it('serves one answer to callers of the same scope within its age, then computes afresh', async () => {
    let now = 1000
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, now: () => now })
    expect((await cache.get(principal('admin'))).total).toBe(1)
    now += 999
    expect((await cache.get(principal('auditor'))).total).toBe(1)
    now += 1
    expect((await cache.get(principal('admin'))).total).toBe(2)
    expect(repo.calls).toHaveLength(2)
  })

  it('joins a query in flight instead of starting another', async () => {
    const repo = counting()
    repo.hold()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, now: () => 0 })
    const answers = Promise.all(Array.from({ length: 8 }, () => cache.get(principal('admin'))))
    repo.release()
    expect((await answers).map((a) => a.total)).toEqual(Array(8).fill(1))
    expect(repo.calls).toHaveLength(1)
  })

  it('never shares an answer between different scopes', async () => {
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 60_000, now: () => 0 })
    const scopes = [
      principal('admin'),
      principal('department', { departments: ['tax'] }),
      principal('department', { departments: ['public-security'] }),
      principal('site', { sites: ['tc-1'] }),
      principal('vendor', { vendors: ['epson'] }),
      principal('vendor', { vendors: ['epson', 'hp'] }),
    ]
    const totals = []
    for (const p of scopes) totals.push((await cache.get(p)).total)
    expect(totals).toEqual([1, 2, 3, 4, 5, 6])
    // The same scope listed in another order is the same scope.
    expect((await cache.get(principal('vendor', { vendors: ['hp', 'epson'] }))).total).toBe(6)
    expect(repo.calls.map((p) => p.role)).toEqual(['admin', 'department', 'department', 'site', 'vendor', 'vendor'])
  })

  it('answers afresh after an invalidation, even within the age and with a query in flight', async () => {
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 60_000, now: () => 0 })
    expect((await cache.get(principal('admin'))).total).toBe(1)
    repo.hold()
    const inFlight = cache.get(principal('site', { sites: ['tc-1'] }))
    cache.invalidate()
    const after = cache.get(principal('site', { sites: ['tc-1'] }))
    repo.release()
    expect((await inFlight).total).toBe(2)
    expect((await after).total).toBe(3)
    expect((await cache.get(principal('admin'))).total).toBe(4)
  })

  it('after expire, serves the answer before while the next caller refreshes it, within the stale allowance', async () => {
    let now = 1000
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, staleMs: 2000, now: () => now })
    expect((await cache.get(principal('admin'))).total).toBe(1)
    expect((await cache.get(principal('site', { sites: ['s1'] }))).total).toBe(2)
    now += 10
    repo.hold()
    cache.expire()
    // Every scope's next caller gets its answer before at once and starts the refresh: nobody waits.
    expect((await cache.get(principal('admin'))).total).toBe(1)
    expect((await cache.get(principal('site', { sites: ['s1'] }))).total).toBe(2)
    expect((await cache.get(principal('admin'))).total).toBe(1)
    expect(repo.calls).toHaveLength(4)
    repo.release()
    await new Promise((r) => setTimeout(r, 0))
    expect((await cache.get(principal('admin'))).total).toBe(3)
    expect(repo.calls).toHaveLength(4)
    // An answer already past the stale allowance is not brought back by expire: its caller waits.
    now += 3500
    repo.release()
    cache.expire()
    expect((await cache.get(principal('site', { sites: ['s1'] }))).total).toBe(5)
  })

  it('drops the answers of every scope at one invalidation', async () => {
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 60_000, now: () => 0 })
    const scopes = [
      principal('admin'),
      principal('department', { departments: ['tax'] }),
      principal('vendor', { vendors: ['epson'] }),
    ]
    for (const p of scopes) await cache.get(p)
    for (const p of scopes) await cache.get(p)
    expect(repo.calls).toHaveLength(3)
    cache.invalidate()
    const totals = []
    for (const p of scopes) totals.push((await cache.get(p)).total)
    expect(totals).toEqual([4, 5, 6])
  })

  it('with no age, answers every caller afresh', async () => {
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 0, now: () => 0 })
    expect((await cache.get(principal('admin'))).total).toBe(1)
    expect((await cache.get(principal('admin'))).total).toBe(2)
  })

  it('does not serve a failed query again', async () => {
    let fail = true
    const cache = new ScopedCache<Answer>({
      compute: async () => {
        if (fail) throw new Error('connection lost')
        return { total: 7 }
      },
      maxAgeMs: 60_000,
      now: () => 0,
    })
    // Callers that joined the failed query share its failure; the next caller asks again.
    const joined = [cache.get(principal('admin')), cache.get(principal('admin'))]
    await expect(joined[0]).rejects.toThrow('connection lost')
    await expect(joined[1]).rejects.toThrow('connection lost')
    fail = false
    expect((await cache.get(principal('admin'))).total).toBe(7)
  })

  it('serves the last answer while its replacement is computed, then the replacement; one query', async () => {
    let now = 0
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, staleMs: 4000, now: () => now })
    expect((await cache.get(principal('admin'))).total).toBe(1)
    now = 1500
    repo.hold()
    // Past its age: served at once, and a refresh started that every later caller shares.
    expect((await cache.get(principal('admin'))).total).toBe(1)
    expect((await cache.get(principal('auditor'))).total).toBe(1)
    expect(repo.calls).toHaveLength(2)
    repo.release()
    await new Promise((r) => setImmediate(r))
    expect((await cache.get(principal('admin'))).total).toBe(2)
    // The replacement's age counts from when its query started.
    now = 2400
    expect((await cache.get(principal('admin'))).total).toBe(2)
    expect(repo.calls).toHaveLength(2)
  })

  it('makes callers wait once an answer is older than its age and the stale allowance', async () => {
    let now = 0
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, staleMs: 4000, now: () => now })
    await cache.get(principal('admin'))
    now = 5000
    expect((await cache.get(principal('admin'))).total).toBe(2)
  })

  it('does not install a refresh that an invalidation overtook', async () => {
    let now = 0
    const repo = counting()
    const cache = new ScopedCache<Answer>({ compute: repo.compute, maxAgeMs: 1000, staleMs: 4000, now: () => now })
    await cache.get(principal('admin'))
    now = 1500
    repo.hold()
    expect((await cache.get(principal('admin'))).total).toBe(1) // refresh 2 started
    cache.invalidate()
    const fresh = cache.get(principal('admin')) // query 3, after the change
    repo.release()
    expect((await fresh).total).toBe(3)
    await new Promise((r) => setImmediate(r))
    expect((await cache.get(principal('admin'))).total).toBe(3)
  })

  it('keeps serving the last answer when a refresh fails, and the next caller tries again', async () => {
    let now = 0
    let fail = false
    let n = 0
    const cache = new ScopedCache<Answer>({
      compute: async () => {
        n += 1
        if (fail) throw new Error('connection lost')
        return { total: n }
      },
      maxAgeMs: 1000,
      staleMs: 4000,
      now: () => now,
    })
    await cache.get(principal('admin'))
    now = 1500
    fail = true
    expect((await cache.get(principal('admin'))).total).toBe(1)
    await new Promise((r) => setImmediate(r))
    fail = false
    expect((await cache.get(principal('admin'))).total).toBe(1)
    await new Promise((r) => setImmediate(r))
    expect(n).toBe(3)
    expect((await cache.get(principal('admin'))).total).toBe(3)
  })
})

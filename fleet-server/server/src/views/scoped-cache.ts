import type { Principal } from '../auth/roles.ts'

export interface ScopedCacheOptions<T> {
  /** Computes one scope's answer (a query over the fleet, perhaps serialised). */
  compute: (principal: Principal) => Promise<T>
  /** How long an answer is served again to callers of the same scope, ms (0: every caller gets a fresh answer). */
  maxAgeMs: number
  now?: () => number
}

interface Entry<T> {
  at: number
  value: Promise<T>
}

/**
 * One view of the whole fleet (overview counts, sites, site tree, map) that every open dashboard asks
 * for after live changes, each answer one query over every kiosk. Callers with the same scope share one
 * answer: a query in flight is joined, and an answer is served again for `maxAgeMs` from when its
 * query started. `invalidate()` (a new kiosk, an alert raised or resolved: shared-views.ts) drops every
 * answer at once, so no answer older than the last such change is served afterwards. A failed query
 * is not served again. Scopes never share: the key is the role and its departments, sites or vendors.
 */
export class ScopedCache<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #now: () => number

  constructor(private readonly options: ScopedCacheOptions<T>) {
    this.#now = options.now ?? Date.now
  }

  /** Admins and auditors see the same fleet; other roles by their scope lists. */
  static keyOf(principal: Principal): string {
    switch (principal.role) {
      case 'admin':
      case 'auditor':
        return 'all'
      case 'department':
        return `department:${JSON.stringify([...principal.departments].sort())}`
      case 'site':
        return `site:${JSON.stringify([...principal.sites].sort())}`
      case 'vendor':
        return `vendor:${JSON.stringify([...principal.vendors].sort())}`
    }
  }

  get(principal: Principal): Promise<T> {
    const key = ScopedCache.keyOf(principal)
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && now - entry.at < this.options.maxAgeMs) {
      return entry.value
    }
    const value = this.options.compute(principal)
    this.#entries.set(key, { at: now, value })
    // A failed query is not served again.
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key)
    })
    return value
  }

  /** Something the view shows changed: the next caller of every scope gets a fresh answer. */
  invalidate(): void {
    this.#entries.clear()
  }
}

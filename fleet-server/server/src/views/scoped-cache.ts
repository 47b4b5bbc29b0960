import type { Principal } from '../auth/roles.ts'

export interface ScopedCacheOptions<T> {
  /** Computes one scope's answer (a query over the fleet, perhaps serialised). */
  compute: (principal: Principal) => Promise<T>
  /** How long an answer is served again to callers of the same scope, ms (0: every caller gets a fresh answer). */
  maxAgeMs: number
  /**
   * How much longer an answer may be served while its replacement is computed, ms (default 0: callers
   * after `maxAgeMs` wait for the new answer). With it, no caller waits for a refresh: the one query
   * a second that replaces a whole-fleet view no longer lands on one unlucky request.
   */
  staleMs?: number
  now?: () => number
}

interface Entry<T> {
  /** When the answer's query started. */
  at: number
  value: Promise<T>
  /** The answer once it has arrived (only an arrived answer is served stale). */
  settled?: { value: T }
  /** A replacement is being computed. */
  refreshing?: boolean
}

/**
 * One view of the whole fleet (overview counts, sites, site tree, map) that every open dashboard asks
 * for after live changes, each answer one query over every kiosk. Callers with the same scope share one
 * answer: a query in flight is joined, and an answer is served again for `maxAgeMs` from when its
 * query started, then for up to `staleMs` more while the next caller's refresh runs. `invalidate()` (a
 * new kiosk, an alert raised or resolved: shared-views.ts) drops every answer at once, so no answer
 * older than the last such change is served afterwards. A failed query is not served again. Scopes
 * never share: the key is the role and its departments, sites or vendors.
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
    if (entry !== undefined) {
      const age = now - entry.at
      if (age < this.options.maxAgeMs) return entry.value
      if (entry.settled !== undefined && age < this.options.maxAgeMs + (this.options.staleMs ?? 0)) {
        if (!entry.refreshing) this.#refresh(key, entry, principal, now)
        return Promise.resolve(entry.settled.value)
      }
    }
    return this.#compute(key, principal, now).value
  }

  /** Something the view shows changed: the next caller of every scope gets a fresh answer. */
  invalidate(): void {
    this.#entries.clear()
  }

  /**
   * Something the view shows changed, but not what a caller must see at once: every scope's answer
   * is now due for its refresh, which the next caller starts while being served the answer before
   * (within the stale allowance). An alert storm — hundreds of kiosks going offline — then costs one
   * query per scope, not a wait for every caller.
   */
  expire(): void {
    const due = this.#now() - this.options.maxAgeMs
    for (const entry of this.#entries.values()) entry.at = Math.min(entry.at, due)
  }

  #compute(key: string, principal: Principal, now: number): Entry<T> {
    const entry: Entry<T> = { at: now, value: this.options.compute(principal) }
    this.#entries.set(key, entry)
    entry.value.then(
      (value) => {
        entry.settled = { value }
      },
      // A failed query is not served again.
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key)
      },
    )
    return entry
  }

  /** Computes the replacement of `stale` while it is still served; it takes over once arrived. */
  #refresh(key: string, stale: Entry<T>, principal: Principal, now: number): void {
    stale.refreshing = true
    const next: Entry<T> = { at: now, value: this.options.compute(principal) }
    next.value.then(
      (value) => {
        next.settled = { value }
        // Unless an invalidation dropped the stale answer meanwhile (a fresher query may be running).
        if (this.#entries.get(key) === stale) this.#entries.set(key, next)
      },
      () => {
        // The stale answer stays until its time is up; the next caller tries again.
        stale.refreshing = false
      },
    )
  }
}

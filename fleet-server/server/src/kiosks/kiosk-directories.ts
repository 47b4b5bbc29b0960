import type { Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { ScopedCache } from '../views/scoped-cache.ts'
import { type DirectoryEntry, differsBeyondState, loadDirectory, loadDirectoryChanges } from './kiosk-directory.ts'

export interface KioskDirectoriesOptions {
  db: Queryable
  /** How often a scope's directory looks for changed kiosks, ms: no answer is older than this (see `serveDuringLook`). */
  checkEveryMs: number
  /**
   * Whether the caller that finds a look due is served the directory as it is while the look runs
   * (an answer is then at most `checkEveryMs` and one look old); otherwise it waits for the look.
   */
  serveDuringLook?: boolean
  /** How often it is read whole again (in the background, the old one served meanwhile), ms. */
  reloadEveryMs: number
  /** How far back each look reaches before the last one, ms: a change committed late is still seen. */
  overlapMs?: number
  now?: () => number
}

interface Directory {
  entries: DirectoryEntry[]
  byId: Map<string, DirectoryEntry>
  /** The database's time the next look starts from. */
  since: Date
}

interface Scope {
  current: Promise<Directory>
  loadedAt: number
  checkedAt: number
  checking?: Promise<void>
  reloading?: Promise<void>
}

/**
 * Each scope's kiosk directory (kiosk-directory.ts), kept current without reading every kiosk every
 * second: at most every `checkEveryMs` a scope reads the kiosks changed since it last looked
 * (`kiosks.listed_at`, set by ingest with the database's clock on every state change and birth, so
 * it sees what other replicas wrote too); with `serveDuringLook` the caller that finds a look due is served
 * the directory as it is meanwhile. A changed state is patched into the entry in place; a new
 * kiosk or one whose type, department, site or version changed reads the scope's directory again.
 * The whole directory is also read again every `reloadEveryMs`, served meanwhile. At 20,000 kiosks a
 * whole read costs some 50 ms of the event loop, a look a few rows.
 */
export class KioskDirectories {
  readonly #scopes = new Map<string, Scope>()
  readonly #now: () => number
  readonly #overlapMs: number

  constructor(private readonly o: KioskDirectoriesOptions) {
    this.#now = o.now ?? Date.now
    this.#overlapMs = o.overlapMs ?? 10_000
  }

  async get(principal: Principal): Promise<DirectoryEntry[]> {
    const key = ScopedCache.keyOf(principal)
    const now = this.#now()
    let scope = this.#scopes.get(key)
    if (scope === undefined) {
      scope = { current: this.#load(principal), loadedAt: now, checkedAt: now }
      this.#scopes.set(key, scope)
      // A failed read is not kept.
      scope.current.catch(() => {
        if (this.#scopes.get(key) === scope) this.#scopes.delete(key)
      })
      return (await scope.current).entries
    }
    if (now - scope.loadedAt >= this.o.reloadEveryMs && scope.reloading === undefined)
      this.#reload(scope, principal, now)
    if (now - scope.checkedAt >= this.o.checkEveryMs && scope.checking === undefined) {
      scope.checkedAt = now
      const s = scope
      // A look that fails serves what is there; the next call looks again.
      s.checking = this.#check(s, principal)
        .catch(() => undefined)
        .finally(() => {
          s.checking = undefined
        })
    }
    // Serving during a look, the caller that finds the look due is served the directory as it is (a
    // look scans the kiosks, tens of ms on a busy database: every list page's p99, once a second).
    if (scope.checking !== undefined && this.o.serveDuringLook !== true) await scope.checking
    return (await scope.current).entries
  }

  /** Resolves once every look and whole read under way has ended (tests; a stop). */
  async settled(): Promise<void> {
    await Promise.all([...this.#scopes.values()].flatMap((s) => [s.checking, s.reloading]))
  }

  /** Something the directories cannot see by looking changed: every scope is read whole next time. */
  invalidate(): void {
    this.#scopes.clear()
  }

  async #load(principal: Principal): Promise<Directory> {
    // The time first: a change committed while the directory is read is seen by the next look.
    const [{ at } = { at: new Date() }] = await this.o.db.query<{ at: Date }>('SELECT now() AS at')
    const entries = await loadDirectory(this.o.db, principal)
    return { entries, byId: new Map(entries.map((e) => [e.id, e])), since: this.#back(at) }
  }

  #reload(scope: Scope, principal: Principal, now: number): void {
    scope.reloading = this.#load(principal)
      .then((next) => {
        scope.current = Promise.resolve(next)
        scope.loadedAt = now
      })
      .catch(() => undefined) // the old one is served; the next call tries again
      .finally(() => {
        scope.reloading = undefined
      })
  }

  async #check(scope: Scope, principal: Principal): Promise<void> {
    const directory = await scope.current
    const { at, changed } = await loadDirectoryChanges(this.o.db, principal, directory.since)
    // Came into the scope, left it, or changed more than its state: the scope's order or members moved.
    const moved = changed.some((e) => {
      const entry = directory.byId.get(e.id)
      return entry === undefined ? e.inScope : !e.inScope || differsBeyondState(entry, e)
    })
    if (moved) {
      const next = await this.#load(principal)
      scope.current = Promise.resolve(next)
      scope.loadedAt = this.#now()
      return
    }
    for (const e of changed) {
      const entry = directory.byId.get(e.id)
      if (entry !== undefined) entry.state = e.state
    }
    directory.since = this.#back(at)
  }

  #back(at: Date): Date {
    return new Date(at.getTime() - this.#overlapMs)
  }
}

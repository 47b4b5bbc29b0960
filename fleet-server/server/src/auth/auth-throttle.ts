import type { Database } from '../db/database.ts'

/** Lockout policy: `freeFailures` in a row are free; each further one doubles the lock, up to `maxLockMs`. */
export interface ThrottlePolicy {
  freeFailures: number
  baseLockMs: number
  maxLockMs: number
  /** Failures older than this are forgotten (the count starts again). */
  forgetAfterMs: number
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 3_600_000,
  forgetAfterMs: 24 * 3_600_000,
}

export type ThrottleState = { locked: false } | { locked: true; retryAfterMs: number }

/** The lock that follows the `failures`-th failure in a row: 0 while still free, then base, 2×base, 4×base… up to max. */
export function lockAfter(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures - 1
  if (over < 0) return 0
  return Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(over, 30))
}

interface Row {
  failures: number
  locked_until: Date | string | null
}

/**
 * Lockout with exponential backoff per key (a user name, a kiosk id being enrolled), kept in the
 * database so that it survives restarts and holds across replicas. While a key is locked its
 * password is not even checked: the right one answers like a wrong one until the lock ends.
 */
export class AuthThrottle {
  constructor(
    private readonly db: Database,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  async state(key: string): Promise<ThrottleState> {
    const [row] = await this.db.query<Row>('SELECT failures, locked_until FROM auth_throttle WHERE key = $1', [key])
    const until = row?.locked_until == null ? 0 : new Date(row.locked_until).getTime()
    const left = until - this.now()
    return left > 0 ? { locked: true, retryAfterMs: left } : { locked: false }
  }

  /** Counts a failure; returns the failures in a row and the lock it started (0: none). */
  async failed(key: string): Promise<{ failures: number; lockMs: number }> {
    const now = this.now()
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<Row & { last_failure_at: Date | string }>(
        'SELECT failures, locked_until, last_failure_at FROM auth_throttle WHERE key = $1 FOR UPDATE',
        [key],
      )
      const stale = row !== undefined && now - new Date(row.last_failure_at).getTime() > this.policy.forgetAfterMs
      const failures = (row === undefined || stale ? 0 : row.failures) + 1
      const lockMs = lockAfter(failures, this.policy)
      await tx.query(
        `INSERT INTO auth_throttle (key, failures, locked_until, last_failure_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET failures = $2, locked_until = $3, last_failure_at = $4`,
        [key, failures, lockMs > 0 ? new Date(now + lockMs).toISOString() : null, new Date(now).toISOString()],
      )
      return { failures, lockMs }
    })
  }

  /** A success clears the key's failures. */
  async succeeded(key: string): Promise<void> {
    await this.db.query('DELETE FROM auth_throttle WHERE key = $1', [key])
  }

  /** Lifts a lock by hand (an admin, after checking who was locked out). */
  async clear(key: string): Promise<boolean> {
    const rows = await this.db.query<{ key: string }>('DELETE FROM auth_throttle WHERE key = $1 RETURNING key', [key])
    return rows.length > 0
  }

  /** Forgets keys whose last failure is older than the policy remembers (run with history pruning). */
  async prune(): Promise<number> {
    const rows = await this.db.query<{ key: string }>(
      'DELETE FROM auth_throttle WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2) RETURNING key',
      [new Date(this.now() - this.policy.forgetAfterMs).toISOString(), new Date(this.now()).toISOString()],
    )
    return rows.length
  }
}

import type { Queryable } from '../db/database.ts'
import { ACTIVE_STATES, type StateCounts } from './kiosk-states.ts'

/** The outcome given to a kiosk that never finished before the rollout's deadline. */
export const DEADLINE_CODE = 'ERR_FLEET_ROLLOUT_DEADLINE_PASSED'
/** Default `retryForMs` of a rollout: a week of retrying kiosks that come back. */
export const DEFAULT_RETRY_FOR_MS = 7 * 24 * 3_600_000

/** Until when a rollout retries kiosks that were offline or timed out (started + retryForMs). */
export function deadlineOf(rollout: { startedAt: string | null; retryForMs: number }): number | undefined {
  return rollout.startedAt === null ? undefined : Date.parse(rollout.startedAt) + rollout.retryForMs
}

/** The deadline of a rollout from its row (`retry_for_ms`, migration 010). */
export async function loadDeadline(tx: Queryable, rolloutId: string): Promise<number | undefined> {
  const [row] = await tx.query<{ started_at: unknown; retry_for_ms: string | number }>(
    'SELECT started_at, retry_for_ms FROM rollouts WHERE id = $1',
    [rolloutId],
  )
  if (row === undefined || row.started_at === null) return undefined
  return deadlineOf({
    startedAt: new Date(row.started_at as string).toISOString(),
    retryForMs: Number(row.retry_for_ms),
  })
}

/**
 * Whether every kiosk the rollout targeted has an outcome: none pending (offline ones included),
 * none still working, and — before the deadline — none timed out, since a timed-out kiosk is retried
 * when it returns. `cancelled`, `succeeded`, `failed` and `rolledBack` are outcomes.
 */
export function everyKioskHasOutcome(total: StateCounts, deadlinePassed: boolean): boolean {
  const active = ACTIVE_STATES.reduce((n, s) => n + (total[s] ?? 0), 0)
  if ((total.pending ?? 0) > 0 || active > 0) return false
  return deadlinePassed || (total.timedOut ?? 0) === 0
}

/**
 * A kiosk came back (birth): re-notify it in every running rollout where it is still `notified` from
 * before this connection (it went away before answering; a kiosk the tick notified since it came
 * online already has its command, and a second one would count a second attempt), or `timedOut`
 * before the rollout's deadline (started groups only). Returns the rows re-notified.
 */
export async function renotifyReturning(
  tx: Queryable,
  kioskIds: string[],
  nowIso: string,
): Promise<{ rollout_id: string; kiosk_id: string }[]> {
  return tx.query<{ rollout_id: string; kiosk_id: string }>(
    `UPDATE rollout_kiosks rk SET state = 'notified', attempts = attempts + 1, notified_at = $2, updated_at = $2,
       progress = NULL, error_code = NULL, finished_at = NULL
     FROM rollouts r, kiosks k WHERE r.id = rk.rollout_id AND r.status = 'running' AND k.id = rk.kiosk_id
       AND rk.kiosk_id = ANY($1::text[]) AND rk.group_index <= r.current_group
       -- notified before this connection began; one notified since (the tick saw it online first) has it
       AND ((rk.state = 'notified' AND (k.state_changed_at IS NULL OR rk.notified_at < k.state_changed_at))
            OR (rk.state = 'timedOut' AND r.started_at + r.retry_for_ms * interval '1 millisecond' > $2::timestamptz))
     RETURNING rk.rollout_id, rk.kiosk_id`,
    [kioskIds, nowIso],
  )
}

/**
 * At the deadline every kiosk still pending (offline since) gets its outcome: timed out with
 * ERR_FLEET_ROLLOUT_DEADLINE_PASSED. Returns how many.
 */
export async function closeAtDeadline(tx: Queryable, rolloutId: string, nowIso: string): Promise<number> {
  const rows = await tx.query(
    `UPDATE rollout_kiosks SET state = 'timedOut', error_code = $2, finished_at = $3, updated_at = $3
     WHERE rollout_id = $1 AND state = 'pending' RETURNING kiosk_id`,
    [rolloutId, DEADLINE_CODE, nowIso],
  )
  return rows.length
}

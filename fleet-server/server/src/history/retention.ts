import type { Queryable } from '../db/database.ts'

export interface RetentionPolicy {
  healthDays: number
  eventsDays: number
}

/**
 * Deletes history older than the policy: health snapshots, status events and presence changes.
 * Latest state (kiosks, peripherals) is never pruned. Safe to run on several replicas at once.
 */
export async function pruneHistory(
  db: Queryable,
  policy: RetentionPolicy,
  now = new Date(),
): Promise<{ health: number; events: number; presence: number }> {
  const day = 86_400_000
  const healthBefore = new Date(now.getTime() - policy.healthDays * day).toISOString()
  const eventsBefore = new Date(now.getTime() - policy.eventsDays * day).toISOString()
  const count = async (sql: string, before: string) =>
    (
      await db.query<{ n: number }>(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [before])
    )[0]?.n ?? 0
  return {
    health: await count('DELETE FROM health_history WHERE ts < $1::timestamptz', healthBefore),
    events: await count('DELETE FROM kiosk_events WHERE ts < $1::timestamptz', eventsBefore),
    presence: await count('DELETE FROM presence_history WHERE ts < $1::timestamptz', eventsBefore),
  }
}

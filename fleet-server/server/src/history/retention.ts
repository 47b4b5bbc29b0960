import type { Queryable } from '../db/database.ts'
import { siteDay } from '../services/site-day.ts'

export interface RetentionPolicy {
  healthDays: number
  eventsDays: number
  /** Days of the services' daily availability roll-up (services/availability-rollup.ts); default 30. */
  serviceAvailabilityDays?: number
}

/**
 * Deletes history older than the policy: health snapshots, status events, presence changes and days
 * of the services' availability roll-up (a day is dropped once it lies wholly before the cut).
 * Expired screenshots go too. Latest state (kiosks, peripherals) is never pruned. Safe to run on several replicas at once.
 */
export async function pruneHistory(
  db: Queryable,
  policy: RetentionPolicy,
  now = new Date(),
): Promise<{ health: number; events: number; presence: number; serviceAvailability: number; screenshots: number }> {
  const day = 86_400_000
  const healthBefore = new Date(now.getTime() - policy.healthDays * day).toISOString()
  const eventsBefore = new Date(now.getTime() - policy.eventsDays * day).toISOString()
  const count = async (sql: string, before: string) =>
    (
      await db.query<{ n: number }>(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [before])
    )[0]?.n ?? 0
  // The roll-up's days are site days (UTC+08:00); keeping one extra day never cuts the window short.
  const serviceDaysBefore = siteDay(now.getTime() - (policy.serviceAvailabilityDays ?? 30) * day)
  return {
    health: await count('DELETE FROM health_history WHERE ts < $1::timestamptz', healthBefore),
    events: await count('DELETE FROM kiosk_events WHERE ts < $1::timestamptz', eventsBefore),
    presence: await count('DELETE FROM presence_history WHERE ts < $1::timestamptz', eventsBefore),
    serviceAvailability:
      (await count('DELETE FROM service_snapshots_daily WHERE day < $1::date', serviceDaysBefore)) +
      (await count('DELETE FROM service_availability_department_daily WHERE day < $1::date', serviceDaysBefore)),
    // Screenshots carry their own expiry (commands.screenshotKeepMs); reads never show an expired one.
    screenshots: await count('DELETE FROM screenshots WHERE expires_at < $1::timestamptz', now.toISOString()),
  }
}

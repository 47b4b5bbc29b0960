import type { MaintenanceSchedule } from '@kiosk-fleet/protocol'
import type { Queryable } from '../db/database.ts'
import { addDays, buildSchedule, localDate, type SiteSchedule } from '../rollouts/schedule.ts'
import type { ScheduleStore } from '../rollouts/schedule-store.ts'
import type { KioskSnapshot } from './alert-rules.ts'
import type { ActiveSilence } from './suppression.ts'

export interface SuppressionData {
  silences: ActiveSilence[]
  /**
   * The schedule of a site with its own row in `site_schedules`, with the fleet calendar. A site
   * without one is always open for alerts: its hours are not known, so nothing is held back.
   */
  scheduleOf(siteId: string | null): MaintenanceSchedule | undefined
}

/** Silences active at `now` and the schedules of the kiosks' sites: two or three queries per evaluation. */
export async function loadSuppressionData(
  db: Queryable,
  store: Pick<ScheduleStore, 'calendar' | 'sites'>,
  kiosks: readonly KioskSnapshot[],
  now: number,
): Promise<SuppressionData> {
  const nowIso = new Date(now).toISOString()
  const silences = (
    await db.query<{
      id: number
      kiosk_id: string | null
      site_id: string | null
      rule: string | null
      expires_at: unknown
    }>(
      `SELECT id, kiosk_id, site_id, rule, expires_at FROM alert_silences
       WHERE ended_at IS NULL AND starts_at <= $1::timestamptz AND expires_at > $1::timestamptz`,
      [nowIso],
    )
  ).map((r) => ({
    id: Number(r.id),
    kioskId: r.kiosk_id,
    siteId: r.site_id,
    rule: r.rule,
    expiresAt: new Date(r.expires_at as string).getTime(),
  }))
  const siteIds = [...new Set(kiosks.flatMap((k) => (k.siteId === null ? [] : [k.siteId])))]
  // Yesterday too: a site's day is Asia/Shanghai's, and the calendar is small.
  const today = localDate(now)
  const calendar = siteIds.length === 0 ? [] : await store.calendar(addDays(today, -1), addDays(today, 16), db)
  const own = await store.sites(siteIds, db)
  const cache = new Map<string, MaintenanceSchedule>()
  return {
    silences,
    scheduleOf(siteId) {
      const site = siteId === null ? undefined : own.get(siteId)
      if (siteId === null || site === undefined) return undefined
      let s = cache.get(siteId)
      if (s === undefined) {
        s = buildSchedule(site as SiteSchedule, calendar, addDays(today, -1))
        cache.set(siteId, s)
      }
      return s
    },
  }
}

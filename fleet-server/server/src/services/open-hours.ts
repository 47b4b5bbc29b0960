import type { MaintenanceSchedule } from '@kiosk-fleet/protocol'
import { siteOpenness } from '../alerts/opening-hours.ts'
import type { Queryable } from '../db/database.ts'
import { addDays, buildSchedule, type CalendarDay, type SiteSchedule } from '../rollouts/schedule.ts'
import { siteDay } from './site-day.ts'

/** Site schedules and the fleet calendar over some days: what says whether a site was open then. */
export interface OpenHoursSource {
  /** Own schedules of these sites (`site_schedules`); a site without one keeps the fleet default. */
  sites: Map<string, SiteSchedule>
  calendar: CalendarDay[]
}

/** The schedules of `siteIds` and the calendar from `from` to `to` (site dates), in two queries. */
export async function loadOpenHours(
  db: Queryable,
  siteIds: readonly string[],
  from: string,
  to: string,
): Promise<OpenHoursSource> {
  const rows =
    siteIds.length === 0
      ? []
      : await db.query<{ site_id: string; opening_hours: SiteSchedule['openingHours']; closed_days: string[] }>(
          `SELECT site_id, opening_hours,
                  ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(closed_days) AS d) AS closed_days
           FROM site_schedules WHERE site_id = ANY($1::text[])`,
          [siteIds],
        )
  const calendar = await db.query<CalendarDay>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM calendar_days
     WHERE day BETWEEN $1::date AND $2::date ORDER BY day`,
    [from, to],
  )
  return {
    sites: new Map(
      rows.map((r) => [r.site_id, { openingHours: r.opening_hours, windows: [], closedDays: r.closed_days }]),
    ),
    calendar,
  }
}

/** The schedule of a site from `day` on (cached per site and day by the caller). */
export function scheduleFrom(source: OpenHoursSource, siteId: string | null, day: string): MaintenanceSchedule {
  const own = siteId === null ? undefined : source.sites.get(siteId)
  return buildSchedule(own, source.calendar, day)
}

/**
 * The snapshots taken while their kiosk's site was open (its opening hours, the fleet calendar, its
 * closures; the fleet default for a site without hours): what availability reports divide by
 * opening hours. Reads the kiosks' sites and those sites' schedules over the snapshots' days.
 */
export async function takenWhileOpen<S extends { kioskId: string; ts: number }>(
  tx: Queryable,
  snapshots: readonly S[],
): Promise<Set<S>> {
  if (snapshots.length === 0) return new Set()
  const kioskIds = [...new Set(snapshots.map((s) => s.kioskId))]
  const sites = new Map(
    (
      await tx.query<{ id: string; site_id: string | null }>(
        'SELECT id, site_id FROM kiosks WHERE id = ANY($1::text[])',
        [kioskIds],
      )
    ).map((r) => [r.id, r.site_id]),
  )
  const days = snapshots.map((s) => siteDay(s.ts)).sort()
  const first = days[0] as string
  const source = await loadOpenHours(
    tx,
    [...new Set([...sites.values()].filter((s): s is string => s !== null))],
    addDays(first, -1),
    addDays(days[days.length - 1] as string, 1),
  )
  const schedules = new Map<string, MaintenanceSchedule>()
  return new Set(
    snapshots.filter((s) => {
      const siteId = sites.get(s.kioskId) ?? null
      const day = siteDay(s.ts)
      const cacheKey = `${siteId ?? ''}\u0000${day}`
      let schedule = schedules.get(cacheKey)
      if (schedule === undefined) {
        schedule = scheduleFrom(source, siteId, day)
        schedules.set(cacheKey, schedule)
      }
      return siteOpenness(s.ts, schedule).open
    }),
  )
}

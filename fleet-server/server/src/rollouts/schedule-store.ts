import type { TimeRange } from '@kiosk-fleet/protocol'
import type { Database, Queryable } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'
import {
  addDays,
  CALENDAR_HORIZON_DAYS,
  type CalendarDay,
  DEFAULT_SITE_SCHEDULE,
  type OpeningHours,
  type SiteSchedule,
} from './schedule.ts'

const day = (v: Date | string) => (typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10))

/** The fleet calendar (`calendar_days`) and the sites' own schedules (`site_schedules`). */
export class ScheduleStore {
  constructor(private readonly db: Database) {}

  async calendar(from: string, to: string, db: Queryable = this.db): Promise<CalendarDay[]> {
    // Dates as text: no time zone conversion of a `date` on either driver.
    const rows = await db.query<{ day: string; kind: CalendarDay['kind']; name: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM calendar_days
       WHERE day >= $1::date AND day < $2::date ORDER BY day`,
      [from, to],
    )
    return rows
  }

  /** Replaces the calendar between `from` and `to` (exclusive) with `days`: a published year at once. */
  async replaceCalendar(from: string, to: string, days: CalendarDay[]): Promise<void> {
    for (const d of days) {
      if (d.day < from || d.day >= to) {
        throw new FleetError(RolloutErrorCodes.scheduleInvalid, `${d.day} is outside ${from} – ${to}`)
      }
    }
    if (new Set(days.map((d) => d.day)).size !== days.length) {
      throw new FleetError(RolloutErrorCodes.scheduleInvalid, 'a day is listed twice')
    }
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM calendar_days WHERE day >= $1::date AND day < $2::date', [from, to])
      if (days.length === 0) return
      await tx.query(
        `INSERT INTO calendar_days (day, kind, name)
         SELECT d::date, k, n FROM unnest($1::text[], $2::text[], $3::text[]) AS x(d, k, n)`,
        [days.map((d) => d.day), days.map((d) => d.kind), days.map((d) => d.name)],
      )
    })
  }

  async siteExists(siteId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM sites WHERE id = $1', [siteId])
    return rows.length > 0
  }

  /** The site's schedule, or the fleet default (`isDefault`) when it has none. */
  async site(
    siteId: string,
  ): Promise<SiteSchedule & { isDefault: boolean; updatedBy: string | null; updatedAt: string | null }> {
    const own = await this.sites([siteId])
    const row = own.get(siteId)
    return row === undefined
      ? { ...DEFAULT_SITE_SCHEDULE, isDefault: true, updatedBy: null, updatedAt: null }
      : { ...row, isDefault: false }
  }

  async putSite(siteId: string, schedule: SiteSchedule, userId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO site_schedules (site_id, opening_hours, windows, closed_days, updated_by, updated_at)
       VALUES ($1, $2::jsonb, $3::jsonb, $4::date[], $5, now())
       ON CONFLICT (site_id) DO UPDATE SET opening_hours = excluded.opening_hours, windows = excluded.windows,
         closed_days = excluded.closed_days, updated_by = excluded.updated_by, updated_at = now()`,
      [siteId, JSON.stringify(schedule.openingHours), JSON.stringify(schedule.windows), schedule.closedDays, userId],
    )
  }

  async deleteSite(siteId: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM site_schedules WHERE site_id = $1 RETURNING site_id', [siteId])
    return rows.length > 0
  }

  async sites(
    siteIds: string[],
    db: Queryable = this.db,
  ): Promise<Map<string, SiteSchedule & { updatedBy: string; updatedAt: string }>> {
    if (siteIds.length === 0) return new Map()
    const rows = await db.query<{
      site_id: string
      opening_hours: OpeningHours
      windows: TimeRange[]
      closed_days: string[]
      updated_by: string
      updated_at: Date | string
    }>(
      `SELECT site_id, opening_hours, windows,
         ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(closed_days) AS d ORDER BY d) AS closed_days,
         updated_by, updated_at
       FROM site_schedules WHERE site_id = ANY($1::text[])`,
      [siteIds],
    )
    return new Map(
      rows.map((r) => [
        r.site_id,
        {
          openingHours: r.opening_hours,
          windows: r.windows,
          closedDays: r.closed_days.map(day),
          updatedBy: r.updated_by,
          updatedAt: new Date(r.updated_at).toISOString(),
        },
      ]),
    )
  }

  /** What notifications to these sites need: the calendar from `today` and the sites' own rows. */
  async forNotification(db: Queryable, siteIds: string[], today: string) {
    return {
      calendar: await this.calendar(today, addDays(today, CALENDAR_HORIZON_DAYS), db),
      sites: await this.sites(siteIds, db),
    }
  }
}

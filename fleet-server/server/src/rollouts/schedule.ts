import type { MaintenanceSchedule, TimeRange } from '@kiosk-fleet/protocol'

export type OpeningHours = MaintenanceSchedule['openingHours']

/** A site's own schedule as stored in `site_schedules`. */
export interface SiteSchedule {
  openingHours: OpeningHours
  windows: TimeRange[]
  closedDays: string[]
}

export interface CalendarDay {
  day: string
  kind: 'holiday' | 'workday'
  name: string
}

/** The fleet's default for a site without its own row: open Mon–Fri 09:00–17:00, maintenance 22:00–06:00. */
export const DEFAULT_SITE_SCHEDULE: SiteSchedule = {
  openingHours: {
    '1': [{ start: '09:00', end: '17:00' }],
    '2': [{ start: '09:00', end: '17:00' }],
    '3': [{ start: '09:00', end: '17:00' }],
    '4': [{ start: '09:00', end: '17:00' }],
    '5': [{ start: '09:00', end: '17:00' }],
  },
  windows: [{ start: '22:00', end: '06:00' }],
  closedDays: [],
}

/** How far ahead the calendar travels with a notification (the contract allows 400 holidays). */
export const CALENDAR_HORIZON_DAYS = 400
const MAX_HOLIDAYS = 400
const MAX_WORKDAYS = 60

/** Today's date at the sites (Asia/Shanghai), `YYYY-MM-DD`. */
export function localDate(ms: number, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(ms),
  )
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/**
 * The `install.schedule` of an `update` notification: the site's opening hours and windows (or the
 * fleet default), the fleet's holidays plus the site's own closures and the 调休 make-up workdays,
 * from `today` for the next 400 days. On a closed day the kiosk may install at any time.
 */
export function buildSchedule(
  site: SiteSchedule | undefined,
  calendar: readonly CalendarDay[],
  today: string,
): MaintenanceSchedule {
  const own = site ?? DEFAULT_SITE_SCHEDULE
  const until = addDays(today, CALENDAR_HORIZON_DAYS)
  const inHorizon = (d: string) => d >= today && d < until
  const makeUp = new Set(calendar.filter((c) => c.kind === 'workday' && inHorizon(c.day)).map((c) => c.day))
  const holidays = new Set([
    ...calendar.filter((c) => c.kind === 'holiday' && inHorizon(c.day)).map((c) => c.day),
    ...own.closedDays.filter(inHorizon),
  ])
  // A site's own closure beats a make-up workday: it is closed that day.
  for (const d of own.closedDays) makeUp.delete(d)
  return {
    windows: own.windows,
    openingHours: own.openingHours,
    holidays: [...holidays].sort().slice(0, MAX_HOLIDAYS),
    makeUpWorkdays: [...makeUp].sort().slice(0, MAX_WORKDAYS),
    closedDaysAllDay: true,
  }
}

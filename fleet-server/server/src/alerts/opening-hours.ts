import type { MaintenanceSchedule } from '@kiosk-fleet/protocol'

/**
 * Whether a site is open, from the same schedule rollouts send kiosks (rollouts/schedule.ts:
 * opening hours per weekday, the fleet's holidays plus the site's own closures, 调休 make-up
 * workdays). Sites keep Asia/Shanghai time, UTC+08:00 all year, so local time is a fixed offset.
 */
const OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

type Range = [number, number]

function localParts(now: number): { day: number; minute: number } {
  const local = now + OFFSET_MS
  const day = Math.floor(local / DAY_MS)
  return { day, minute: Math.floor((local - day * DAY_MS) / MINUTE_MS) }
}

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

function clock(value: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value)
  if (m === null) throw new TypeError(`time ${JSON.stringify(value)} is not HH:MM`)
  return Number(m[1]) * 60 + Number(m[2])
}

function openRanges(day: number, schedule: MaintenanceSchedule): Range[] {
  const date = isoDate(day)
  if (schedule.holidays.includes(date)) return []
  const weekday = String(new Date(day * DAY_MS).getUTCDay()) as keyof MaintenanceSchedule['openingHours']
  let hours = schedule.openingHours[weekday] ?? []
  // 调休: a weekend day worked keeps Monday's hours.
  if (schedule.makeUpWorkdays?.includes(date)) hours = schedule.openingHours['1'] ?? []
  return hours.map((h) => [clock(h.start), clock(h.end)] as Range).filter(([s, e]) => s < e)
}

/** How long the site is open on a date (`YYYY-MM-DD` at the sites), in ms: 0 on a holiday or closure. */
export function openMsOn(date: string, schedule: MaintenanceSchedule): number {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
  return openRanges(day, schedule).reduce((sum, [s, e]) => sum + (e - s) * MINUTE_MS, 0)
}

export interface SiteOpenness {
  open: boolean
  /** Today is a holiday or a planned closure of the site (closed all day). */
  closedAllDay: boolean
  /** When the site last opened (the start of the current opening period), if open. */
  openedAt?: number
  /** When it next opens (within two weeks), if closed. */
  opensAt?: number
}

/** Whether the site is open at `now`, when it opened, or when it opens next. */
export function siteOpenness(now: number, schedule: MaintenanceSchedule): SiteOpenness {
  const { day, minute } = localParts(now)
  const today = openRanges(day, schedule)
  const closedAllDay = today.length === 0
  const current = today.find(([s, e]) => minute >= s && minute < e)
  const at = (d: number, m: number) => d * DAY_MS + m * MINUTE_MS - OFFSET_MS
  if (current !== undefined) return { open: true, closedAllDay, openedAt: at(day, current[0]) }
  for (let offset = 0; offset <= 14; offset++) {
    for (const [s] of openRanges(day + offset, schedule)) {
      if (offset === 0 && s <= minute) continue
      return { open: false, closedAllDay, opensAt: at(day + offset, s) }
    }
  }
  return { open: false, closedAllDay }
}

/**
 * When may an update install? Pure functions over the kiosk's live state and the site's calendar.
 * Times are wall-clock in Asia/Shanghai, which is UTC+08:00 all year (no daylight saving since 1991),
 * so local time is a fixed offset and needs no time-zone database.
 */

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
const DAY_MINUTES = 24 * 60
const MINUTE_MS = 60 * 1000

/** 'HH:MM', 00:00–24:00. */
export type ClockTime = string

export interface TimeRange {
  start: ClockTime
  end: ClockTime
}

export interface MaintenancePolicy {
  /** Daily windows; a window whose end is before its start runs past midnight (e.g. 23:00–02:00). */
  windows: TimeRange[]
  /** Opening hours per weekday, 0 = Sunday … 6 = Saturday; a missing or empty day is closed. */
  openingHours: Partial<Record<0 | 1 | 2 | 3 | 4 | 5 | 6, TimeRange[]>>
  /** Public holidays (local dates 'YYYY-MM-DD'): the site is closed. */
  holidays: string[]
  /** Make-up working days (调休, local dates): open with `makeUpHours` (default: Monday's hours). */
  makeUpWorkdays?: string[]
  makeUpHours?: TimeRange[]
  /** On a closed day every hour is a maintenance window. Default true. */
  closedDaysAllDay?: boolean
}

export interface KioskActivity {
  sessionActive: boolean
  cardInReader: boolean
  paperInPath: boolean
}

export type GateBlockReason = 'sessionActive' | 'cardInReader' | 'paperInPath' | 'outsideWindow'

export type GateDecision = { open: true } | { open: false; reasons: GateBlockReason[] }

/** Installing may start only when nobody is being served and the clock is inside a maintenance window. */
export function decideGate(now: number, activity: KioskActivity, policy: MaintenancePolicy): GateDecision {
  const reasons: GateBlockReason[] = []
  if (activity.sessionActive) reasons.push('sessionActive')
  if (activity.cardInReader) reasons.push('cardInReader')
  if (activity.paperInPath) reasons.push('paperInPath')
  if (!inMaintenanceWindow(now, policy)) reasons.push('outsideWindow')
  return reasons.length === 0 ? { open: true } : { open: false, reasons }
}

export function inMaintenanceWindow(now: number, policy: MaintenancePolicy): boolean {
  const { day, minute } = localParts(now)
  return allowedRanges(day, policy).some(([start, end]) => minute >= start && minute < end)
}

/**
 * The earliest instant at or after `now` inside a maintenance window (whole minutes), looking ahead
 * `horizonDays`; undefined when the calendar has none.
 */
export function nextOpportunity(now: number, policy: MaintenancePolicy, horizonDays = 31): number | undefined {
  const { day, minute } = localParts(now)
  for (let offset = 0; offset <= horizonDays; offset++) {
    const date = day + offset
    for (const [start, end] of allowedRanges(date, policy)) {
      if (offset === 0 && end <= minute) continue
      if (offset === 0 && start <= minute) return now
      return date * 24 * 60 * MINUTE_MS + start * MINUTE_MS - SHANGHAI_OFFSET_MS
    }
  }
  return undefined
}

type Range = [number, number]

/** Local day number (days since 1970-01-01 in Shanghai) and minute of that day. */
function localParts(now: number): { day: number; minute: number } {
  const local = now + SHANGHAI_OFFSET_MS
  const day = Math.floor(local / (DAY_MINUTES * MINUTE_MS))
  const minute = Math.floor((local - day * DAY_MINUTES * MINUTE_MS) / MINUTE_MS)
  return { day, minute }
}

function isoDate(day: number): string {
  return new Date(day * DAY_MINUTES * MINUTE_MS).toISOString().slice(0, 10)
}

/** Sorted, merged minute ranges of `day` in which installing is allowed. */
function allowedRanges(day: number, policy: MaintenancePolicy): Range[] {
  const open = openingRanges(day, policy)
  if (open.length === 0 && policy.closedDaysAllDay !== false) return [[0, DAY_MINUTES]]
  const windows = merge(policy.windows.flatMap(windowRanges))
  return merge(subtract(windows, merge(open)))
}

function openingRanges(day: number, policy: MaintenancePolicy): Range[] {
  const date = isoDate(day)
  if (policy.holidays.includes(date)) return []
  const weekday = new Date(day * DAY_MINUTES * MINUTE_MS).getUTCDay() as 0 | 1 | 2 | 3 | 4 | 5 | 6
  let hours = policy.openingHours[weekday] ?? []
  if (policy.makeUpWorkdays?.includes(date)) hours = policy.makeUpHours ?? policy.openingHours[1] ?? []
  return hours.map((h) => [parseClock(h.start), parseClock(h.end)] as Range).filter(([s, e]) => s < e)
}

function windowRanges(window: TimeRange): Range[] {
  const start = parseClock(window.start)
  const end = parseClock(window.end)
  if (start === end) return []
  return start < end
    ? [[start, end]]
    : [
        [start, DAY_MINUTES],
        [0, end],
      ]
}

function parseClock(value: ClockTime): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value)
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN
  if (!(minutes >= 0 && minutes <= DAY_MINUTES)) throw new TypeError(`time ${JSON.stringify(value)} is not HH:MM`)
  return minutes
}

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: Range[] = []
  for (const [s, e] of sorted) {
    const last = out.at(-1)
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e)
    else out.push([s, e])
  }
  return out
}

function subtract(ranges: Range[], holes: Range[]): Range[] {
  let out = ranges
  for (const [hs, he] of holes) {
    out = out.flatMap(([s, e]): Range[] => {
      if (he <= s || hs >= e) return [[s, e]]
      const parts: Range[] = []
      if (s < hs) parts.push([s, hs])
      if (he < e) parts.push([he, e])
      return parts
    })
  }
  return out
}

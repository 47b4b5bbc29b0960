/**
 * Days as the sites count them. Sites keep Asia/Shanghai time, UTC+08:00 all year (no daylight
 * saving), so a site's date is a fixed offset from UTC (as alerts/opening-hours.ts does).
 */
const SITE_UTC_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** The date at the sites at instant `ms`, `YYYY-MM-DD`. */
export function siteDay(ms: number): string {
  return new Date(ms + SITE_UTC_OFFSET_MS).toISOString().slice(0, 10)
}

/** The `days` dates ending with the sites' today at `nowMs`, both ends included. */
export function siteDayWindow(nowMs: number, days: number): { days: number; from: string; to: string } {
  return { days, from: siteDay(nowMs - (days - 1) * DAY_MS), to: siteDay(nowMs) }
}

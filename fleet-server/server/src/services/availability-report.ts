import type { Catalogue } from '@kiosk-fleet/protocol'
import type { AvailabilityReportBy, AvailabilityReportRow } from '@kiosk-fleet/protocol/http'
import { openMsOn } from '../alerts/opening-hours.ts'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { addDays } from '../rollouts/schedule.ts'
import { loadOpenHours, scheduleFrom } from './open-hours.ts'

const HOUR_MS = 3_600_000

/** The dates from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d)
  return out
}

export interface AvailabilityReportRequest {
  from: string
  to: string
  by: AvailabilityReportBy
  per: 'range' | 'day'
}

interface CellRow {
  site_id: string | null
  site_name: string | null
  service_id: string
  day: string | null
  kiosks: number
  open_ms: number | string
  usable_ms: number | string
}

/**
 * Availability of citizen services in opening hours, per site (or per service) over a range of site
 * days, within a principal's scope. For every kiosk in scope that reported a service in the range
 * and every day of it: the site's open time that day (its hours, the fleet calendar, its closures;
 * the fleet default without hours of its own), and the part of it the kiosk reported the service
 * available, `available / max(expected, taken)` of the snapshots taken while open (migration 045),
 * where `expected` is the open time over the kiosk's health interval. A kiosk silent in opening
 * hours (offline, powered off) therefore counts as not usable. A kiosk counts under its site now,
 * and from the first day in the range it reported the service: not before it was installed, nor
 * on days whose roll-up was pruned (`retention.serviceAvailabilityDays`).
 */
export async function availabilityReport(
  db: Queryable,
  principal: Principal,
  catalogue: Catalogue,
  request: AvailabilityReportRequest,
): Promise<AvailabilityReportRow[]> {
  const { from, to } = request
  const scope = kioskScope(principal, 1)
  const n = scope.params.length
  const siteIds = (
    await db.query<{ site_id: string | null }>(
      `SELECT DISTINCT k.site_id FROM kiosks k WHERE (${scope.sql}) AND EXISTS (
         SELECT 1 FROM service_availability_daily d WHERE d.kiosk_id = k.id AND d.day BETWEEN $${n + 1}::date AND $${n + 2}::date)`,
      [...scope.params, from, to],
    )
  ).map((r) => r.site_id)
  if (siteIds.length === 0) return []
  // Each site's open time on each day, computed here from its schedule and passed to the query.
  const source = await loadOpenHours(
    db,
    siteIds.filter((s): s is string => s !== null),
    addDays(from, -1),
    addDays(to, 1),
  )
  const days = daysOf(from, to)
  const open = { site: [] as string[], day: [] as string[], ms: [] as number[] }
  for (const siteId of siteIds) {
    const schedule = scheduleFrom(source, siteId, from)
    for (const day of days) {
      open.site.push(siteId ?? '')
      open.day.push(day)
      open.ms.push(openMsOn(day, schedule))
    }
  }
  const perDay = request.per === 'day'
  const bySite = request.by === 'site'
  const keys = [bySite ? 'c.site_id, st.name' : null, 'c.service_id', perDay ? 'c.day' : null].filter((k) => k !== null)
  const rows = await db.query<CellRow>(
    `WITH open AS (
       SELECT * FROM unnest($${n + 3}::text[], $${n + 4}::date[], $${n + 5}::float8[]) AS o(site_id, day, open_ms)
     ), pairs AS (
       SELECT d.kiosk_id, d.service_id, min(d.day) AS first_day
       FROM service_availability_daily d JOIN kiosks k ON k.id = d.kiosk_id
       WHERE d.day BETWEEN $${n + 1}::date AND $${n + 2}::date AND (${scope.sql})
       GROUP BY 1, 2
     ), opened AS (
       SELECT d.kiosk_id, d.service_id, d.day, sum(d.snapshots) AS snapshots, sum(d.available) AS available
       FROM service_availability_open_daily d JOIN kiosks k ON k.id = d.kiosk_id
       WHERE d.day BETWEEN $${n + 1}::date AND $${n + 2}::date AND (${scope.sql})
       GROUP BY 1, 2, 3
     ), cells AS (
       SELECT k.site_id, p.service_id, p.kiosk_id, o.day, o.open_ms,
              CASE WHEN coalesce(a.snapshots, 0) = 0 THEN 0
                   ELSE o.open_ms * a.available / greatest(a.snapshots, o.open_ms / nullif(k.health_interval_ms, 0), 1)
              END AS usable_ms
       FROM pairs p JOIN kiosks k ON k.id = p.kiosk_id
         JOIN open o ON o.site_id = coalesce(k.site_id, '') AND o.day >= p.first_day
         LEFT JOIN opened a ON a.kiosk_id = p.kiosk_id AND a.service_id = p.service_id AND a.day = o.day
     )
     SELECT ${bySite ? 'c.site_id, st.name AS site_name' : 'NULL AS site_id, NULL AS site_name'}, c.service_id,
            ${perDay ? "to_char(c.day, 'YYYY-MM-DD')" : 'NULL'} AS day,
            count(DISTINCT c.kiosk_id)::int AS kiosks, sum(c.open_ms) AS open_ms, sum(c.usable_ms) AS usable_ms
     FROM cells c LEFT JOIN sites st ON st.id = c.site_id
     GROUP BY ${keys.join(', ')}
     ORDER BY ${keys.join(', ')}`,
    [...scope.params, from, to, open.site, open.day, open.ms],
  )
  const definitions = new Map(catalogue.services.map((s) => [s.id, s]))
  return rows.map((r) => {
    const definition = definitions.get(r.service_id)
    const openMs = Number(r.open_ms)
    const usableMs = Math.min(Number(r.usable_ms), openMs)
    return {
      site: r.site_id === null ? null : { id: r.site_id, name: r.site_name ?? r.site_id },
      serviceId: r.service_id,
      serviceName: definition === undefined ? null : { zh: definition.name.zh, en: definition.name.en },
      department: definition?.department ?? null,
      day: r.day,
      kiosks: r.kiosks,
      openHours: round(openMs / HOUR_MS),
      usableHours: round(usableMs / HOUR_MS),
      share: openMs === 0 ? null : usableMs / openMs,
    }
  })
}

const round = (hours: number) => Math.round(hours * 1000) / 1000

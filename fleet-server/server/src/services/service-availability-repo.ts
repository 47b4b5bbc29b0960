import type {
  ServiceKiosk,
  ServiceKioskAvailability,
  ServiceNow,
  ServiceShare,
  ServiceWindow,
} from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'

/** Snapshots and available ones, as the database sums them (bigint: a string from node-postgres). */
type ShareRow = { snapshots: number | string | null; available: number | string | null }

export function toShare(row: ShareRow | undefined): ServiceShare {
  const snapshots = Number(row?.snapshots ?? 0)
  const available = Number(row?.available ?? 0)
  return { snapshots, available, share: snapshots === 0 ? null : available / snapshots }
}

/** Reasons of the health contract; anything else (or none) counts as `other`. */
const REASON_OF = `CASE WHEN s ->> 'reason' IN ('peripheral', 'gatewayDown', 'identityUnavailable')
                        THEN s ->> 'reason' ELSE 'other' END`
const AVAILABILITY_OF = `CASE WHEN k.state <> 'online' THEN 'unknown'
                              WHEN (s ->> 'available')::boolean THEN 'available' ELSE 'unavailable' END`
/** A kiosk's services in its latest health, one row each (`s`). */
const OFFERED = `kiosks k JOIN kiosk_health kh ON kh.kiosk_id = k.id
  CROSS JOIN LATERAL jsonb_array_elements(kh.last_health -> 'services') AS s`

/**
 * Where a principal's share over days comes from. The whole fleet and a department's kiosks: the
 * department roll-up (a few thousand rows; the department is the kiosk's when it reported, as
 * `kioskScope` matches `kiosks.department` now), one row per department, day and service. Sites and
 * vendors: their kiosks' own rows of `service_snapshots_daily`, one per kiosk, day and kind of
 * snapshot, read as kinds (`d.services`, `d.unavailable`, `d.snapshots`), never one row per service.
 */
function rolledUp(
  principal: Principal,
  firstParam: number,
):
  | { perService: true; from: string; where: string; params: unknown[] }
  | { perService: false; where: string; params: unknown[] } {
  switch (principal.role) {
    case 'admin':
    case 'auditor':
      return { perService: true, from: 'service_availability_department_daily d', where: 'true', params: [] }
    case 'department':
      return {
        perService: true,
        from: 'service_availability_department_daily d',
        where: `d.department = ANY($${firstParam}::text[])`,
        params: [principal.departments],
      }
    default: {
      const scope = kioskScope(principal, firstParam)
      return { perService: false, where: scope.sql, params: scope.params }
    }
  }
}

/** A kind's snapshots in which `service` (an SQL expression) was available. */
const availableIn = (service: string) => `CASE WHEN ${service} = ANY (d.unavailable) THEN 0 ELSE d.snapshots END`

/**
 * The services page's figures, always within a principal's scope (`kioskScope`): what the kiosks'
 * latest health says now (`kiosk_health.last_health`) and the daily roll-up over a window (written by
 * ingest, services/availability-rollup.ts). Never reads `health_history`.
 */
export class ServiceAvailabilityRepo {
  constructor(private readonly db: Queryable) {}

  /** Per service (or only `serviceId`): kiosks offering it, and what their latest health says now. */
  async now(principal: Principal, serviceId?: string): Promise<Map<string, { kiosks: number; now: ServiceNow }>> {
    const scope = kioskScope(principal, 1)
    const only = scope.params.length + 1
    const rows = await this.db.query<{
      service_id: string
      availability: ServiceKioskAvailability
      reason: string
      n: number
    }>(
      `SELECT s ->> 'serviceId' AS service_id, ${AVAILABILITY_OF} AS availability, ${REASON_OF} AS reason,
              count(*)::int AS n
       FROM ${OFFERED}
       WHERE (${scope.sql}) AND ($${only}::text IS NULL OR s ->> 'serviceId' = $${only})
       GROUP BY 1, 2, 3`,
      [...scope.params, serviceId ?? null],
    )
    const out = new Map<string, { kiosks: number; now: ServiceNow }>()
    for (const r of rows) {
      let entry = out.get(r.service_id)
      if (entry === undefined) {
        entry = {
          kiosks: 0,
          now: {
            available: 0,
            unavailable: 0,
            unknown: 0,
            reasons: { peripheral: 0, gatewayDown: 0, identityUnavailable: 0, other: 0 },
          },
        }
        out.set(r.service_id, entry)
      }
      const n = Number(r.n)
      entry.kiosks += n
      entry.now[r.availability] += n
      if (r.availability === 'unavailable') entry.now.reasons[r.reason as keyof ServiceNow['reasons']] += n
    }
    return out
  }

  /** Per service (or only `serviceId`): snapshots over the window's days from kiosks in scope. */
  async window(principal: Principal, window: ServiceWindow, serviceId?: string): Promise<Map<string, ServiceShare>> {
    const scope = rolledUp(principal, 1)
    const n = scope.params.length
    const params = [...scope.params, window.from, window.to, serviceId ?? null]
    const days = `d.day BETWEEN $${n + 1}::date AND $${n + 2}::date`
    const only = `$${n + 3}::text`
    const rows = scope.perService
      ? await this.db.query<{ service_id: string } & ShareRow>(
          `SELECT d.service_id, sum(d.snapshots) AS snapshots, sum(d.available) AS available
           FROM ${scope.from}
           WHERE ${days} AND (${scope.where}) AND (${only} IS NULL OR d.service_id = ${only})
           GROUP BY d.service_id`,
          params,
        )
      : // The kinds summed first (a signature is a digest of the two lists: one pair per signature),
        // then each kind's few services: 20,000 kiosks' 30 days are some 600,000 kinds, 9 million
        // service rows.
        await this.db.query<{ service_id: string } & ShareRow>(
          `SELECT s.service_id, sum(d.snapshots) AS snapshots, sum(${availableIn('s.service_id')}) AS available
           FROM (
             SELECT min(d.services) AS services, min(d.unavailable) AS unavailable, sum(d.snapshots) AS snapshots
             FROM service_snapshots_daily d JOIN kiosks k ON k.id = d.kiosk_id
             WHERE ${days} AND (${scope.where}) AND (${only} IS NULL OR ${only} = ANY (d.services))
             GROUP BY d.signature
           ) d CROSS JOIN LATERAL unnest(d.services) AS s(service_id)
           WHERE ${only} IS NULL OR s.service_id = ${only}
           GROUP BY s.service_id`,
          params,
        )
    return new Map(rows.map((r) => [r.service_id, toShare(r)]))
  }

  /** One service's share on each day of the window (oldest first; days without a snapshot included). */
  async days(
    principal: Principal,
    window: ServiceWindow,
    serviceId: string,
  ): Promise<({ day: string } & ServiceShare)[]> {
    const scope = rolledUp(principal, 1)
    const n = scope.params.length
    const rows = await this.db.query<{ day: string } & ShareRow>(
      scope.perService
        ? `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, sum(d.snapshots) AS snapshots, sum(d.available) AS available
           FROM ${scope.from}
           WHERE d.service_id = $${n + 3} AND d.day BETWEEN $${n + 1}::date AND $${n + 2}::date AND (${scope.where})
           GROUP BY d.day`
        : `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, sum(d.snapshots) AS snapshots,
                  sum(${availableIn(`$${n + 3}::text`)}) AS available
           FROM service_snapshots_daily d JOIN kiosks k ON k.id = d.kiosk_id
           WHERE $${n + 3}::text = ANY (d.services) AND d.day BETWEEN $${n + 1}::date AND $${n + 2}::date
             AND (${scope.where})
           GROUP BY d.day`,
      [...scope.params, window.from, window.to, serviceId],
    )
    const byDay = new Map(rows.map((r) => [r.day, r]))
    const start = Date.parse(`${window.from}T00:00:00Z`)
    return Array.from({ length: window.days }, (_, i) => {
      const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10)
      return { day, ...toShare(byDay.get(day)) }
    })
  }

  /**
   * A page of the kiosks whose latest health lists the service: unavailable first, then unknown
   * (not online), then available, by id within each; each with its own share over the window.
   */
  async kiosks(
    principal: Principal,
    serviceId: string,
    window: ServiceWindow,
    page: { availability?: ServiceKioskAvailability | undefined; limit: number; offset: number },
  ): Promise<ServiceKiosk[]> {
    const scope = kioskScope(principal, 1)
    const n = scope.params.length
    const rows = await this.db.query<{
      id: string
      state: string
      machine_type: string | null
      department: string | null
      site_id: string | null
      site_name: string | null
      last_seen_at: unknown
      availability: ServiceKioskAvailability
      reason: string
      blocked_by: string[] | null
      snapshots: string | number | null
      available: string | number | null
    }>(
      `SELECT p.*, w.snapshots, w.available
       FROM (
         SELECT k.id, k.state, k.machine_type, k.department, k.site_id, st.name AS site_name, k.last_seen_at,
                ${AVAILABILITY_OF} AS availability, ${REASON_OF} AS reason,
                ARRAY(SELECT jsonb_array_elements_text(coalesce(s -> 'blockedBy', '[]'::jsonb))) AS blocked_by
         FROM ${OFFERED} LEFT JOIN sites st ON st.id = k.site_id
         WHERE s ->> 'serviceId' = $${n + 1} AND (${scope.sql})
           AND ($${n + 4}::text IS NULL OR ${AVAILABILITY_OF} = $${n + 4})
         ORDER BY CASE ${AVAILABILITY_OF} WHEN 'unavailable' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END, k.id
         LIMIT $${n + 5} OFFSET $${n + 6}
       ) p
       LEFT JOIN LATERAL (
         SELECT sum(d.snapshots) AS snapshots, sum(d.available) AS available
         FROM service_availability_daily d
         WHERE d.kiosk_id = p.id AND d.day BETWEEN $${n + 2}::date AND $${n + 3}::date AND d.service_id = $${n + 1}
       ) w ON true
       ORDER BY CASE p.availability WHEN 'unavailable' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END, p.id`,
      [...scope.params, serviceId, window.from, window.to, page.availability ?? null, page.limit, page.offset],
    )
    return rows.map((r) => ({
      id: r.id,
      state: r.state,
      machineType: r.machine_type,
      department: r.department,
      site: r.site_id === null ? null : { id: r.site_id, name: r.site_name ?? r.site_id },
      lastSeenAt:
        r.last_seen_at instanceof Date ? r.last_seen_at.toISOString() : ((r.last_seen_at as string | null) ?? null),
      availability: r.availability,
      reason: r.availability === 'unavailable' ? (r.reason as ServiceKiosk['reason']) : null,
      blockedBy: r.blocked_by ?? [],
      window: toShare(r),
    }))
  }
}

import type { Breakdown, FleetOverview } from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'

export type { Breakdown, FleetOverview } from '@kiosk-fleet/protocol/http'

/**
 * Online kiosks with a peripheral in fault or needing attention, computed once per kiosk; for a
 * vendor only its own devices count (its scope's parameter is $1, the vendor ids).
 */
const faultedKiosks = (principal: Principal) => `SELECT fp.kiosk_id, bool_or(
    fp.status->>'state' IN ('hardwareError', 'noDevice', 'offline', 'powerOff', 'userError')
    OR fp.status->>'paper' IN ('out', 'jammed') OR fp.status->>'cover' = 'open') AS faulted
  FROM peripherals fp ${principal.role === 'vendor' ? 'WHERE fp.vendor_id = ANY($1::text[])' : ''} GROUP BY fp.kiosk_id`

/** A vendor counts only its own devices' alerts ($1 is its vendor ids). */
const ownAlerts = (principal: Principal) =>
  principal.role === 'vendor'
    ? `AND EXISTS (SELECT 1 FROM peripherals vp2 WHERE vp2.kiosk_id = a.kiosk_id AND vp2.device_id = a.device_id
                   AND vp2.vendor_id = ANY($1::text[]))`
    : ''

/** Fleet counts for the overview, within the caller's scope, in one round trip per breakdown. */
export class OverviewRepo {
  constructor(private readonly db: Queryable) {}

  async overview(principal: Principal): Promise<FleetOverview> {
    const scope = kioskScope(principal, 1)
    // One pass over the fleet, three breakdowns (GROUPING SETS), instead of a scan per breakdown.
    const [rows, alertRows] = await Promise.all([
      this.db.query<Breakdown & { dimension: 'machineType' | 'department' | 'county' }>(
        `WITH f AS (${faultedKiosks(principal)}),
         k2 AS (
           SELECT k.machine_type, k.department, s.city || ' ' || s.county AS county, k.state,
                  coalesce(f.faulted, false) AND k.state = 'online' AS faulted
           FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id LEFT JOIN f ON f.kiosk_id = k.id
           WHERE ${scope.sql})
         SELECT CASE WHEN GROUPING(machine_type) = 0 THEN 'machineType'
                     WHEN GROUPING(department) = 0 THEN 'department' ELSE 'county' END AS dimension,
                coalesce(machine_type, department, county, '—') AS key,
                count(*)::int AS total,
                count(*) FILTER (WHERE state = 'online')::int AS online,
                count(*) FILTER (WHERE state = 'offline')::int AS offline,
                count(*) FILTER (WHERE faulted)::int AS faulted
         FROM k2 GROUP BY GROUPING SETS ((machine_type), (department), (county))`,
        scope.params,
      ),
      this.db.query<{ severity: string; n: number }>(
        `SELECT a.severity, count(*)::int AS n FROM alerts a JOIN kiosks k ON k.id = a.kiosk_id
         WHERE ${scope.sql} ${ownAlerts(principal)} AND a.state <> 'resolved' GROUP BY a.severity`,
        scope.params,
      ),
    ])
    const of = (dimension: string): Breakdown[] =>
      rows
        .filter((r) => r.dimension === dimension)
        .map(({ dimension: _d, ...b }) => b)
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    const byMachineType = of('machineType')
    const byDepartment = of('department')
    const byCounty = of('county')
    const sum = (f: keyof Breakdown) => byMachineType.reduce((n, b) => n + (b[f] as number), 0)
    const alerts = Object.fromEntries(alertRows.map((r) => [r.severity, r.n]))
    return {
      total: sum('total'),
      online: sum('online'),
      offline: sum('offline'),
      unknown: sum('total') - sum('online') - sum('offline'),
      faulted: sum('faulted'),
      openAlerts: { critical: alerts.critical ?? 0, warning: alerts.warning ?? 0, info: alerts.info ?? 0 },
      byMachineType,
      byDepartment,
      byCounty,
    }
  }
}

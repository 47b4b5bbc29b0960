import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'

export interface Breakdown {
  key: string
  total: number
  online: number
  offline: number
  faulted: number
}

export interface FleetOverview {
  total: number
  online: number
  offline: number
  unknown: number
  /** Online kiosks with at least one peripheral in a fault or needing attention. */
  faulted: number
  openAlerts: { critical: number; warning: number; info: number }
  byMachineType: Breakdown[]
  byDepartment: Breakdown[]
  byCounty: Breakdown[]
}

const FAULTED = `EXISTS (SELECT 1 FROM peripherals fp WHERE fp.kiosk_id = k.id AND (
  fp.status->>'state' IN ('hardwareError', 'noDevice', 'offline', 'powerOff', 'userError')
  OR fp.status->>'paper' IN ('out', 'jammed') OR fp.status->>'cover' = 'open'))`

/** Fleet counts for the overview, within the caller's scope, in one round trip per breakdown. */
export class OverviewRepo {
  constructor(private readonly db: Queryable) {}

  async overview(principal: Principal): Promise<FleetOverview> {
    const scope = kioskScope(principal, 1)
    const breakdown = (column: string) =>
      this.db.query<Breakdown>(
        `SELECT coalesce(${column}, '—') AS key, count(*)::int AS total,
                count(*) FILTER (WHERE k.state = 'online')::int AS online,
                count(*) FILTER (WHERE k.state = 'offline')::int AS offline,
                count(*) FILTER (WHERE k.state = 'online' AND ${FAULTED})::int AS faulted
         FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id
         WHERE ${scope.sql}
         GROUP BY 1 ORDER BY 1`,
        scope.params,
      )
    const [byMachineType, byDepartment, byCounty, alertRows] = await Promise.all([
      breakdown('k.machine_type'),
      breakdown('k.department'),
      breakdown(`s.city || ' ' || s.county`),
      this.db.query<{ severity: string; n: number }>(
        `SELECT a.severity, count(*)::int AS n FROM alerts a JOIN kiosks k ON k.id = a.kiosk_id
         WHERE ${scope.sql} AND a.state <> 'resolved' GROUP BY a.severity`,
        scope.params,
      ),
    ])
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

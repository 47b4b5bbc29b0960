import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { type AlertRecord, toAlertRecord } from './alert-engine.ts'

/**
 * `open`: not resolved (active or cleared, acknowledged or not); `acknowledged`: not resolved and
 * acknowledged; `active`, `cleared`, `resolved`: that state; `all`: every alert.
 */
export const ALERT_STATE_FILTERS = ['open', 'active', 'cleared', 'acknowledged', 'resolved', 'all'] as const
export type AlertStateFilter = (typeof ALERT_STATE_FILTERS)[number]

export interface AlertFilter {
  state: AlertStateFilter
  id?: number | undefined
  kioskId?: string | undefined
  siteId?: string | undefined
  rule?: string | undefined
  severity?: string | undefined
  /** Raised at or after (ISO time). */
  from?: string | undefined
  /** Raised before (ISO time). */
  to?: string | undefined
}

export interface AlertPageResult {
  total: number
  alerts: AlertRecord[]
}

/** Alerts as a principal may see them: kiosks in scope; a vendor only its own devices' alerts. */
export class AlertRepo {
  constructor(private readonly db: Queryable) {}

  /**
   * One page of the matching alerts, most severe first, then newest (id breaks ties, so pages never
   * repeat or skip an alert), with the count of all matches.
   */
  async list(
    principal: Principal,
    filter: AlertFilter,
    page: { limit: number; offset?: number | undefined },
  ): Promise<AlertPageResult> {
    const { sql, params } = this.where(principal, filter)
    const n = params.length
    // Fleet-wide roles see every alert: the kiosks join, there only to scope, would read all kiosks.
    const from =
      principal.role === 'admin' || principal.role === 'auditor'
        ? 'alerts a'
        : 'alerts a JOIN kiosks k ON k.id = a.kiosk_id'
    const [rows, [count]] = await Promise.all([
      this.db.query<Parameters<typeof toAlertRecord>[0]>(
        `SELECT a.* FROM ${from} WHERE ${sql}
         ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.raised_at DESC, a.id DESC
         LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, page.limit, page.offset ?? 0],
      ),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from} WHERE ${sql}`, params),
    ])
    return { total: count?.n ?? 0, alerts: rows.map(toAlertRecord) }
  }

  async get(principal: Principal, id: number): Promise<AlertRecord | undefined> {
    return (await this.list(principal, { state: 'all', id }, { limit: 1 })).alerts[0]
  }

  private where(principal: Principal, filter: AlertFilter): { sql: string; params: unknown[] } {
    const scope = kioskScope(principal, 1)
    const where = [scope.sql]
    const params: unknown[] = [...scope.params]
    const param = (value: unknown) => {
      params.push(value)
      return `$${params.length}`
    }
    if (principal.role === 'vendor') {
      where.push(`EXISTS (SELECT 1 FROM peripherals vp2 WHERE vp2.kiosk_id = a.kiosk_id AND vp2.device_id = a.device_id
                    AND vp2.vendor_id = ANY(${param(principal.vendors)}::text[]))`)
    }
    const state = {
      all: undefined,
      open: `a.state <> 'resolved'`,
      acknowledged: `a.state <> 'resolved' AND a.acknowledged_at IS NOT NULL`,
      active: `a.state = 'active'`,
      cleared: `a.state = 'cleared'`,
      resolved: `a.state = 'resolved'`,
    }[filter.state]
    if (state !== undefined) where.push(state)
    if (filter.id !== undefined) where.push(`a.id = ${param(filter.id)}`)
    if (filter.kioskId !== undefined) where.push(`a.kiosk_id = ${param(filter.kioskId)}`)
    if (filter.siteId !== undefined) where.push(`a.site_id = ${param(filter.siteId)}`)
    if (filter.rule !== undefined) where.push(`a.rule = ${param(filter.rule)}`)
    if (filter.severity !== undefined) where.push(`a.severity = ${param(filter.severity)}`)
    if (filter.from !== undefined) where.push(`a.raised_at >= ${param(filter.from)}::timestamptz`)
    if (filter.to !== undefined) where.push(`a.raised_at < ${param(filter.to)}::timestamptz`)
    return { sql: where.join(' AND '), params }
  }
}

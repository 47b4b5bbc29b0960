import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { type AlertRecord, toAlertRecord } from './alert-engine.ts'

export type AlertStateFilter = 'open' | 'active' | 'cleared' | 'resolved' | 'all'

/** Alerts as a principal may see them: kiosks in scope; a vendor only its own devices' alerts. */
export class AlertRepo {
  constructor(private readonly db: Queryable) {}

  async list(
    principal: Principal,
    filter: { state: AlertStateFilter; kioskId?: string | undefined; limit: number },
  ): Promise<AlertRecord[]> {
    const scope = kioskScope(principal, 4)
    const vendorOnly =
      principal.role === 'vendor'
        ? `AND EXISTS (SELECT 1 FROM peripherals vp2 WHERE vp2.kiosk_id = a.kiosk_id AND vp2.device_id = a.device_id
                        AND vp2.vendor = ANY($${4 + scope.params.length}::text[]))`
        : ''
    const rows = await this.db.query<Parameters<typeof toAlertRecord>[0]>(
      `SELECT a.* FROM alerts a JOIN kiosks k ON k.id = a.kiosk_id
       WHERE ${scope.sql} ${vendorOnly}
         AND ($1::text = 'all' OR ($1 = 'open' AND a.state <> 'resolved') OR a.state = $1)
         AND ($2::text IS NULL OR a.kiosk_id = $2)
       ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.raised_at DESC
       LIMIT $3`,
      [
        filter.state,
        filter.kioskId ?? null,
        filter.limit,
        ...scope.params,
        ...(principal.role === 'vendor' ? [principal.vendors] : []),
      ],
    )
    return rows.map(toAlertRecord)
  }

  async get(principal: Principal, id: number): Promise<AlertRecord | undefined> {
    return (await this.list(principal, { state: 'all', limit: 100_000 })).find((a) => a.id === id)
  }
}

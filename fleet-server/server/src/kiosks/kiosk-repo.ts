import type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import { scopeView } from '../auth/scope.ts'
import type { Queryable } from '../db/database.ts'

export interface KioskFilter {
  siteId?: string | undefined
  machineType?: string | undefined
  department?: string | undefined
  state?: string | undefined
  /** Page size and start (the list is ordered by county, site and id). */
  limit?: number | undefined
  offset?: number | undefined
}

export type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'

const toIso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null)

const KIOSK_SELECT = `
  SELECT k.id, k.machine_type, k.department, k.app_version, k.state, k.state_changed_at, k.last_seen_at,
         k.health_interval_ms, k.last_health -> 'services' AS services,
         s.id AS site_id, s.name AS site_name, s.kind AS site_kind, s.city, s.county, s.town, s.latitude, s.longitude,
         coalesce((SELECT json_agg(json_build_object(
             'deviceId', p.device_id, 'deviceClass', p.device_class, 'vendor', p.vendor, 'model', p.model,
             'serial', p.serial, 'firmware', p.firmware, 'hwRevision', p.hw_revision, 'status', p.status,
             'statusChangedAt', p.status_changed_at, 'counters', p.counters) ORDER BY p.device_id)
           FROM peripherals p WHERE p.kiosk_id = k.id), '[]'::json) AS peripherals
  FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id`

type KioskRow = Record<string, unknown>

function toView(r: KioskRow): KioskView {
  return {
    id: r.id as string,
    machineType: (r.machine_type as string | null) ?? null,
    department: (r.department as string | null) ?? null,
    appVersion: (r.app_version as string | null) ?? null,
    state: r.state as string,
    stateChangedAt: toIso(r.state_changed_at),
    lastSeenAt: toIso(r.last_seen_at),
    healthIntervalMs: (r.health_interval_ms as number | null) ?? null,
    site:
      r.site_id === null || r.site_id === undefined
        ? null
        : {
            id: r.site_id as string,
            name: r.site_name as string,
            kind: r.site_kind as string,
            city: r.city as string,
            county: r.county as string,
            town: r.town as string,
            latitude: (r.latitude as number | null) ?? null,
            longitude: (r.longitude as number | null) ?? null,
          },
    peripherals: r.peripherals as PeripheralView[],
    services: (r.services as KioskView['services'] | null) ?? [],
  }
}

function scoped(views: KioskView[], principal: Principal): KioskView[] {
  return views.flatMap((v) => scopeView(principal, v) ?? [])
}

/** Read side of the fleet's latest state, shaped for the API and the dashboard. */
export class KioskRepo {
  constructor(private readonly db: Queryable) {}

  /** Kiosks within the principal's scope (vendors see only their own peripherals). */
  async list(filter: KioskFilter, principal: Principal): Promise<KioskView[]> {
    const scope = kioskScope(principal, 1)
    const where: string[] = [scope.sql]
    const params: unknown[] = [...scope.params]
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return
      params.push(value)
      where.push(`${column} = $${params.length}`)
    }
    add('k.site_id', filter.siteId)
    add('k.machine_type', filter.machineType)
    add('k.department', filter.department)
    add('k.state', filter.state)
    params.push(filter.limit ?? 5000, filter.offset ?? 0)
    const page = `LIMIT $${params.length - 1} OFFSET $${params.length}`
    const sql = `${KIOSK_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.county, s.id, k.id ${page}`
    return scoped((await this.db.query<KioskRow>(sql, params)).map(toView), principal)
  }

  async byIds(ids: string[]): Promise<KioskView[]> {
    if (ids.length === 0) return []
    return (await this.db.query<KioskRow>(`${KIOSK_SELECT} WHERE k.id = ANY($1::text[]) ORDER BY k.id`, [ids])).map(
      toView,
    )
  }

  /** One kiosk, or undefined when it does not exist or lies outside the principal's scope. */
  async get(id: string, principal: Principal): Promise<KioskView | undefined> {
    return scoped(await this.byIds([id]), principal)[0]
  }

  async healthHistory(id: string, options: { since?: string | undefined; limit: number }) {
    const rows = await this.db.query<{ seq: number; ts: unknown; received_at: unknown; body: Record<string, unknown> }>(
      `SELECT seq, ts, received_at, body FROM health_history
       WHERE kiosk_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2::timestamptz)
       ORDER BY ts DESC, seq DESC LIMIT $3`,
      [id, options.since ?? null, options.limit],
    )
    return rows.map((r) => ({ seq: r.seq, ts: toIso(r.ts), receivedAt: toIso(r.received_at), health: r.body }))
  }

  async events(id: string, limit: number) {
    const rows = await this.db.query<{
      seq: number
      ts: unknown
      type: string
      device_id: string | null
      body: unknown
    }>(
      'SELECT seq, ts, type, device_id, body FROM kiosk_events WHERE kiosk_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2',
      [id, limit],
    )
    return rows.map((r) => ({ seq: r.seq, ts: toIso(r.ts), type: r.type, deviceId: r.device_id, event: r.body }))
  }

  async presence(id: string, limit: number) {
    const rows = await this.db.query<{ state: string; session: number; reason: string | null; ts: unknown }>(
      'SELECT state, session, reason, ts FROM presence_history WHERE kiosk_id = $1 ORDER BY ts DESC LIMIT $2',
      [id, limit],
    )
    return rows.map((r) => ({ state: r.state, session: r.session, reason: r.reason, ts: toIso(r.ts) }))
  }
}

import type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'
import type { Principal } from '../auth/roles.ts'
import { scopeView } from '../auth/scope.ts'
import type { Queryable } from '../db/database.ts'
import { type DirectoryEntry, directoryAnswers, matchDirectory } from './kiosk-directory.ts'
import { KIOSK_LIST_ORDER, type KioskFilter, kioskWhere } from './kiosk-query.ts'

export type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'
export type { KioskFilter } from './kiosk-query.ts'

const toIso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null)

const KIOSK_SELECT = `
  SELECT k.id, k.machine_type, k.department, k.app_version, k.state, k.state_changed_at, k.last_seen_at,
         k.health_interval_ms, h.last_health -> 'services' AS services, h.last_health ->> 'mode' AS mode,
         h.last_health_at,
         s.id AS site_id, s.name AS site_name, s.kind AS site_kind, s.city, s.county, s.town, s.latitude, s.longitude,
         coalesce((SELECT json_agg(json_build_object(
             'deviceId', p.device_id, 'deviceClass', p.device_class, 'vendor', p.vendor, 'vendorId', p.vendor_id,
             'model', p.model, 'modelId', p.model_id,
             'serial', p.serial, 'firmware', p.firmware, 'hwRevision', p.hw_revision, 'status', p.status,
             'statusChangedAt', p.status_changed_at, 'counters', p.counters) ORDER BY p.device_id)
           FROM peripherals p WHERE p.kiosk_id = k.id), '[]'::json) AS peripherals
  FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id LEFT JOIN kiosk_health h ON h.kiosk_id = k.id`

type KioskRow = Record<string, unknown>

export interface KioskPageResult {
  total: number
  kiosks: KioskView[]
}

type ServiceView = KioskView['services'][number]

/**
 * An offline kiosk's services are not available now, whatever it last reported: `unknown`, with the
 * last report kept as `lastKnownAvailable` (an offline kiosk used to look fully in service).
 */
function servicesOf(r: KioskRow, live: boolean): ServiceView[] {
  const reported = (r.services as ServiceView[] | null) ?? []
  if (live) return reported
  return reported.map((s) => ({
    serviceId: s.serviceId,
    available: false,
    blockedBy: [],
    reason: 'unknown',
    lastKnownAvailable: s.available,
  }))
}

function toView(r: KioskRow): KioskView {
  const live = r.state === 'online'
  return {
    id: r.id as string,
    machineType: (r.machine_type as string | null) ?? null,
    department: (r.department as string | null) ?? null,
    appVersion: (r.app_version as string | null) ?? null,
    state: r.state as string,
    stateChangedAt: toIso(r.state_changed_at),
    lastSeenAt: toIso(r.last_seen_at),
    healthIntervalMs: (r.health_interval_ms as number | null) ?? null,
    live,
    lastReportAt: toIso(r.last_health_at),
    mode: (r.mode as string | null) ?? null,
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
    services: servicesOf(r, live),
  }
}

/** A health snapshot with only the named peripherals, and nothing of the kiosk's citizen services. */
function devicesOnly(body: Record<string, unknown>, devices: string[]): Record<string, unknown> {
  const { services: _services, transactions: _transactions, peripherals, ...rest } = body
  const list = Array.isArray(peripherals) ? (peripherals as { deviceId?: unknown }[]) : []
  return { ...rest, peripherals: list.filter((p) => typeof p.deviceId === 'string' && devices.includes(p.deviceId)) }
}

/**
 * The peripherals of a kiosk a principal may look into: undefined for all of them, or — for a
 * vendor — the device ids of its own (the view is already scoped).
 */
export function visibleDevices(principal: Principal, view: KioskView): string[] | undefined {
  return principal.role === 'vendor' ? view.peripherals.map((p) => p.deviceId) : undefined
}

function scoped(views: KioskView[], principal: Principal): KioskView[] {
  return views.flatMap((v) => scopeView(principal, v) ?? [])
}

/** Read side of the fleet's latest state, shaped for the API and the dashboard. */
export class KioskRepo {
  /**
   * @param directory the scope's kiosk directory, shared for a moment between requests
   *   (views/shared-views.ts): list pages searched and filtered on it read only their own kiosks from
   *   the database. Without it every list page is one search of the database.
   */
  constructor(
    private readonly db: Queryable,
    private readonly directory?: (principal: Principal) => Promise<DirectoryEntry[]>,
  ) {}

  /**
   * One page of the kiosks within the principal's scope that match the filter (vendors see only
   * their own peripherals), with the count of all matches. The order (county, site, id) is total,
   * so consecutive pages neither repeat nor skip a kiosk.
   */
  async list(
    filter: KioskFilter,
    principal: Principal,
    page: { limit: number; offset: number },
  ): Promise<KioskPageResult> {
    if (this.directory !== undefined && directoryAnswers(filter)) {
      const matches = matchDirectory(await this.directory(principal), filter)
      const ids = matches.slice(page.offset, page.offset + page.limit).map((e) => e.id)
      const views = new Map((await this.byIds(ids)).map((v) => [v.id, v]))
      return {
        total: matches.length,
        kiosks: scoped(
          ids.flatMap((id) => views.get(id) ?? []),
          principal,
        ),
      }
    }
    const where = kioskWhere(filter, principal)
    const n = where.params.length
    // The page's ids first, sorted on narrow rows; the wide view (health, peripherals) only for them.
    const [rows, [count]] = await Promise.all([
      this.db.query<KioskRow>(
        `WITH page AS (
           SELECT k.id FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id WHERE ${where.sql}
           ORDER BY ${KIOSK_LIST_ORDER} LIMIT $${n + 1} OFFSET $${n + 2})
         ${KIOSK_SELECT} JOIN page ON page.id = k.id ORDER BY ${KIOSK_LIST_ORDER}`,
        [...where.params, page.limit, page.offset],
      ),
      this.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id WHERE ${where.sql}`,
        where.params,
      ),
    ])
    return { total: count?.n ?? 0, kiosks: scoped(rows.map(toView), principal) }
  }

  async byIds(ids: string[]): Promise<KioskView[]> {
    if (ids.length === 0) return []
    return (await this.db.query<KioskRow>(`${KIOSK_SELECT} WHERE k.id = ANY($1::text[]) ORDER BY k.id`, [ids])).map(
      toView,
    )
  }

  /** The kiosks among `ids` within the principal's scope. */
  async getMany(ids: string[], principal: Principal): Promise<KioskView[]> {
    return scoped(await this.byIds(ids), principal)
  }

  /** One kiosk, or undefined when it does not exist or lies outside the principal's scope. */
  async get(id: string, principal: Principal): Promise<KioskView | undefined> {
    return scoped(await this.byIds([id]), principal)[0]
  }

  /**
   * Health snapshots, newest first. `devices` limits them to those peripherals (a vendor's own) and
   * leaves out what concerns the kiosk's departments, not its devices (services, transactions).
   */
  async healthHistory(
    id: string,
    options: { since?: string | undefined; limit: number; devices?: string[] | undefined },
  ) {
    const rows = await this.db.query<{ seq: number; ts: unknown; received_at: unknown; body: Record<string, unknown> }>(
      `SELECT seq, ts, received_at, body FROM health_history
       WHERE kiosk_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2::timestamptz)
       ORDER BY ts DESC, seq DESC LIMIT $3`,
      [id, options.since ?? null, options.limit],
    )
    const only = options.devices
    return rows.map((r) => ({
      seq: r.seq,
      ts: toIso(r.ts),
      receivedAt: toIso(r.received_at),
      health: only === undefined ? r.body : devicesOnly(r.body, only),
    }))
  }

  /** Events, newest first; `devices` limits them to those peripherals' events. */
  async events(id: string, limit: number, devices?: string[] | undefined) {
    const rows = await this.db.query<{
      seq: number
      ts: unknown
      type: string
      device_id: string | null
      body: unknown
    }>(
      `SELECT seq, ts, type, device_id, body FROM kiosk_events
       WHERE kiosk_id = $1 AND ($3::text[] IS NULL OR device_id = ANY($3::text[]))
       ORDER BY ts DESC, seq DESC LIMIT $2`,
      [id, limit, devices ?? null],
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

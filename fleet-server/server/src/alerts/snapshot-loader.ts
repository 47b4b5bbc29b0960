import type { HealthPayload } from '@kiosk-fleet/protocol'
import type { Queryable } from '../db/database.ts'
import { loadPaperBaselines, paperForecastsOf } from '../paper/paper-baselines.ts'
import type { KioskSnapshot, PeripheralSnapshot } from './alert-rules.ts'

const ms = (v: unknown): number | null =>
  v === null || v === undefined ? null : new Date(v as string | Date).getTime()

/**
 * Loads what the rules look at for the given kiosks (or all): latest state, peripherals, last
 * health, SAM errors over the last hour from the reader counters in the health history, and when
 * each printer's paper runs out from its counters over the last week.
 */
export async function loadSnapshots(
  db: Queryable,
  kioskIds: string[] | undefined,
  now: number,
): Promise<KioskSnapshot[]> {
  const rows = await db.query<{
    id: string
    machine_type: string | null
    department: string | null
    site_id: string | null
    state: string
    state_changed_at: unknown
    last_seen_at: unknown
    health_interval_ms: number | null
    last_health: HealthPayload | null
    missing_messages: number | string
    missing_at: unknown
    peripherals: PeripheralSnapshot[]
  }>(
    `SELECT k.id, k.machine_type, k.department, k.site_id, k.state, k.state_changed_at, k.last_seen_at,
            k.health_interval_ms, h.last_health, k.missing_messages, k.missing_at,
            coalesce((SELECT json_agg(json_build_object('deviceId', p.device_id, 'deviceClass', p.device_class,
                                                        'status', p.status, 'counters', p.counters))
                      FROM peripherals p WHERE p.kiosk_id = k.id), '[]'::json) AS peripherals
     FROM kiosks k LEFT JOIN kiosk_health h ON h.kiosk_id = k.id
     WHERE $1::text[] IS NULL OR k.id = ANY($1::text[])`,
    [kioskIds ?? null],
  )
  const hourAgo = new Date(now - 3_600_000).toISOString()
  // Each kiosk's first report of the last hour, one index probe per kiosk (health_history_ts_idx read
  // backwards), and only its peripherals: reading every report of the hour and sorting them cost
  // half a second per batch of 500 kiosks with an hour of history.
  const baselines = await db.query<{ kiosk_id: string; peripherals: HealthPayload['peripherals'] }>(
    `SELECT k.id AS kiosk_id, b.peripherals
     FROM kiosks k
     CROSS JOIN LATERAL (
       SELECT h.body->'peripherals' AS peripherals FROM health_history h
       WHERE h.kiosk_id = k.id AND h.ts >= $2::timestamptz
       ORDER BY h.ts ASC LIMIT 1) b
     WHERE $1::text[] IS NULL OR k.id = ANY($1::text[])`,
    [kioskIds ?? null, hourAgo],
  )
  const baselineOf = new Map(baselines.map((b) => [b.kiosk_id, b.peripherals]))
  const paperBaselines = await loadPaperBaselines(db, kioskIds, now)
  return rows.map((r) => {
    const samErrorsLastHour: Record<string, number> = {}
    const baseline = baselineOf.get(r.id)
    for (const p of r.peripherals) {
      const latest = p.counters?.samErrors
      if (latest === undefined) continue
      const before = baseline?.find((b) => b.deviceId === p.deviceId)?.counters.samErrors ?? latest
      // A counter that went backwards was reset (agent restart): count from zero.
      samErrorsLastHour[p.deviceId] = latest >= before ? latest - before : latest
    }
    return {
      id: r.id,
      machineType: r.machine_type,
      department: r.department,
      siteId: r.site_id,
      state: r.state,
      stateChangedAt: ms(r.state_changed_at),
      lastSeenAt: ms(r.last_seen_at),
      healthIntervalMs: r.health_interval_ms,
      health: r.last_health,
      peripherals: r.peripherals,
      samErrorsLastHour,
      missingMessages: Number(r.missing_messages),
      missingAt: ms(r.missing_at),
      paperForecasts: paperForecastsOf(r.last_health, paperBaselines.get(r.id)),
    }
  })
}

import type { HealthPayload } from '@kiosk-fleet/protocol'
import type { Queryable } from '../db/database.ts'
import { forecastPaper, type PaperForecast } from './paper-forecast.ts'

/** How far back the usage rate looks: a week, so a quiet weekend does not read as no use. */
export const PAPER_LOOKBACK_DAYS = 7

export interface HealthCounters {
  at: number
  peripherals: HealthPayload['peripherals']
}

/**
 * Per kiosk (the given ones, or all): the peripherals' counters in its oldest health snapshot of
 * the look-back period. One index lookup per kiosk (`health_history (kiosk_id, ts)`), never a scan
 * of the period's snapshots.
 */
export async function loadPaperBaselines(
  db: Queryable,
  kioskIds: readonly string[] | undefined,
  now: number,
  lookbackDays = PAPER_LOOKBACK_DAYS,
): Promise<Map<string, HealthCounters>> {
  const rows = await db.query<{ kiosk_id: string; ts: unknown; peripherals: HealthPayload['peripherals'] | null }>(
    `SELECT k.id AS kiosk_id, b.ts, b.peripherals FROM kiosks k
     CROSS JOIN LATERAL (
       SELECT h.ts, h.body -> 'peripherals' AS peripherals FROM health_history h
       WHERE h.kiosk_id = k.id AND h.ts >= $2::timestamptz ORDER BY h.ts ASC LIMIT 1
     ) b
     WHERE $1::text[] IS NULL OR k.id = ANY($1::text[])`,
    [kioskIds ?? null, new Date(now - lookbackDays * 86_400_000).toISOString()],
  )
  return new Map(
    rows.map((r) => [r.kiosk_id, { at: new Date(r.ts as string).getTime(), peripherals: r.peripherals ?? [] }]),
  )
}

/** The paper forecast of each printer in a kiosk's latest health, from its baseline. */
export function paperForecastsOf(
  health: HealthPayload | null,
  baseline: HealthCounters | undefined,
): Record<string, PaperForecast> {
  const out: Record<string, PaperForecast> = {}
  for (const p of health?.peripherals ?? []) {
    const before = baseline?.peripherals.find((b) => b.deviceId === p.deviceId)
    const f = forecastPaper({
      latest: { at: health?.ts ?? 0, counters: p.counters },
      baseline:
        before === undefined || baseline === undefined ? undefined : { at: baseline.at, counters: before.counters },
      paper: p.status.paper,
    })
    if (f !== undefined) out[p.deviceId] = f
  }
  return out
}

import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { alertPolicyFrom } from '../alerts/alert-config.ts'
import { AlertEngine, type AlertEvent } from '../alerts/alert-engine.ts'
import { DEFAULT_ALERT_POLICY } from '../alerts/alert-rules.ts'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'

const logger = pino({ level: 'silent' })
const DAY = 86_400_000
const T0 = Date.parse('2026-11-24T02:00:00Z') // a Tuesday, 10:00 at the sites
const K = 'hx-tc01-id-01'
let db: Database
let clock = T0
let seq = 10

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.exec('TRUNCATE kiosks, sites, peripherals, health_history, alerts, alert_conditions, alert_silences CASCADE')
  seq = 10
  clock = T0 - 5 * DAY
  await write(sampleBirth({ seq: 1, healthIntervalMs: 30_000 }), { paperMm: 0, paperRemainingMm: 10_000 })
})

async function write(
  birth: ReturnType<typeof sampleBirth> | undefined,
  receipt: Record<string, number>,
  mode?: 'maintenance',
) {
  const b = emptyBatch()
  if (birth !== undefined) {
    b.births.push({ kioskId: K, payload: birth, receivedAt: clock })
    b.states.push({ kioskId: K, payload: { state: 'online', session: 1, ts: clock }, receivedAt: clock })
  }
  seq += 1
  b.health.push({
    kioskId: K,
    receivedAt: clock,
    payload: sampleHealth({
      seq,
      ts: clock,
      ...(mode === undefined ? {} : { mode }),
      peripherals: [
        { deviceId: 'idcard', status: { state: 'online' }, counters: {} },
        { deviceId: 'receipt', status: { state: 'online', paper: 'full' }, counters: receipt },
      ],
    }),
  })
  await new IngestStore(db).writeBatch(b)
}

function engine(policy = DEFAULT_ALERT_POLICY) {
  const events: AlertEvent[] = []
  const e = new AlertEngine({ db, policy, logger, now: () => clock, onEvents: (batch) => events.push(...batch) })
  return { e, kinds: () => events.map((x) => `${x.kind}:${x.alert.rule}:${x.alert.deviceId}`), events }
}

describe('paperForecast alert', () => {
  it('is raised while paper is left, days before the roll runs out, and clears after a refill', async () => {
    const { e, kinds, events } = engine()
    // Five days: 8 m of a 10 m roll used, 1.6 m a day, 2 m left: 1.25 days, under the 3-day threshold.
    clock = T0
    await write(undefined, { paperMm: 8_000, paperRemainingMm: 2_000 })
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:paperForecast:receipt'])
    expect(events[0]?.alert.message).toBe('receipt runs out of paper in about 1.3 days (2000 mm left, 1600 mm a day)')
    // A new roll: about 31 days left; cleared an hour later (clearAfterMs).
    clock += 60_000
    await write(undefined, { paperMm: 8_000, paperRemainingMm: 50_000 })
    await e.evaluate([K])
    clock += 3_600_000
    await write(undefined, { paperMm: 8_100, paperRemainingMm: 49_900 })
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:paperForecast:receipt', 'resolved:paperForecast:receipt'])
    await e.stop()
  })

  it('follows the configured threshold of days', async () => {
    const policy = alertPolicyFrom({
      missedHealthFactor: DEFAULT_ALERT_POLICY.missedHealthFactor,
      rules: { paperForecast: { threshold: 1 } },
      overrides: [],
    })
    const { e, kinds } = engine(policy)
    clock = T0
    await write(undefined, { paperMm: 8_000, paperRemainingMm: 2_000 })
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    await e.stop()
  })

  it('is held back by a silence and while the kiosk is in maintenance', async () => {
    const { e, kinds } = engine()
    clock = T0
    await db.query(
      `INSERT INTO alert_silences (kiosk_id, rule, reason, created_by, starts_at, expires_at)
       VALUES ($1, 'paperForecast', 'paper on its way', 'ada', $2, $3)`,
      [K, new Date(clock - 1000).toISOString(), new Date(clock + DAY).toISOString()],
    )
    await write(undefined, { paperMm: 8_000, paperRemainingMm: 2_000 })
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]).toEqual([
      expect.objectContaining({ rule: 'paperForecast', deviceId: 'receipt', reason: 'silenced' }),
    ])
    await db.exec('DELETE FROM alert_silences')
    clock += 1000
    await write(undefined, { paperMm: 8_000, paperRemainingMm: 2_000 }, 'maintenance')
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]).toEqual([expect.objectContaining({ rule: 'paperForecast', reason: 'maintenance' })])
    await e.stop()
  })
})

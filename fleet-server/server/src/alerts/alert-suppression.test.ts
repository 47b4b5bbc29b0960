import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { emptyBatch, type IngestBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { alertPolicyFrom } from './alert-config.ts'
import { AlertEngine, type AlertEvent } from './alert-engine.ts'
import { DEFAULT_ALERT_POLICY } from './alert-rules.ts'
import { siteOpenness } from './opening-hours.ts'
import { SilenceStore } from './silence-store.ts'

const logger = pino({ level: 'silent' })
let db: Database
let seq = 10
// Tuesday 2026-11-24 16:00 in Asia/Shanghai (08:00Z).
const T0 = Date.parse('2026-11-24T08:00:00Z')
const MIN = 60_000
let clock = T0
const K = 'hx-tc01-id-01'
const SITE = 'hx-tc01'
const policy = alertPolicyFrom({
  missedHealthFactor: DEFAULT_ALERT_POLICY.missedHealthFactor,
  rules: { kioskOffline: { raiseAfterMs: 5 * MIN } },
  overrides: [],
})

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.exec(
    `TRUNCATE kiosks, sites, peripherals, health_history, kiosk_events, presence_history, alerts, alert_conditions,
       alert_silences, site_schedules, calendar_days CASCADE`,
  )
  clock = T0
  seq = 10
  await write((b) => {
    b.births.push({ kioskId: K, payload: sampleBirth({ seq: 1, healthIntervalMs: 30_000 }), receivedAt: clock })
    b.states.push({ kioskId: K, payload: { state: 'online', session: 1, ts: clock }, receivedAt: clock })
  })
})

async function write(fill: (b: IngestBatch) => void) {
  const b = emptyBatch()
  fill(b)
  await new IngestStore(db).writeBatch(b)
}

async function health(mode: 'inService' | 'maintenance', paper: string) {
  seq += 1
  await write((b) =>
    b.health.push({
      kioskId: K,
      payload: sampleHealth({
        seq,
        ts: clock,
        mode,
        peripherals: [{ deviceId: 'receipt', status: { state: 'userError', paper } as never, counters: {} }],
      }),
      receivedAt: clock,
    }),
  )
}

async function offline() {
  await write((b) =>
    b.states.push({
      kioskId: K,
      payload: { state: 'offline', session: 1, ts: clock, reason: 'lastWill' },
      receivedAt: clock,
    }),
  )
}

/** The site opens Mon–Fri 09:00–17:00 (its own row); `holidays` go into the fleet calendar. */
async function siteHours(holidays: string[] = [], closedDays: string[] = []) {
  const day = [{ start: '09:00', end: '17:00' }]
  await db.query(
    `INSERT INTO site_schedules (site_id, opening_hours, windows, closed_days, updated_by)
     VALUES ($1, $2::jsonb, '[]'::jsonb, $3::date[], 'test')`,
    [SITE, JSON.stringify({ 1: day, 2: day, 3: day, 4: day, 5: day }), closedDays],
  )
  for (const d of holidays)
    await db.query(`INSERT INTO calendar_days (day, kind, name) VALUES ($1, 'holiday', 'test')`, [d])
}

function engine() {
  const events: AlertEvent[] = []
  const e = new AlertEngine({ db, policy, logger, now: () => clock, onEvents: (batch) => events.push(...batch) })
  return { e, kinds: () => events.map((x) => `${x.kind}:${x.alert.rule}`) }
}

describe('opening hours', () => {
  it('knows open, closed, holidays and 调休 make-up days in Shanghai time', () => {
    const day = [{ start: '09:00', end: '17:00' }]
    const s = { windows: [], openingHours: { '2': day, '3': day }, holidays: ['2026-11-25'], makeUpWorkdays: [] }
    expect(siteOpenness(T0, s)).toMatchObject({ open: true, openedAt: Date.parse('2026-11-24T01:00:00Z') })
    // Tuesday 17:30: closed; Wednesday is a holiday, so it opens again only... never this fortnight on Wed.
    const evening = siteOpenness(T0 + 90 * MIN, s)
    expect(evening.open).toBe(false)
    expect(evening.opensAt).toBe(Date.parse('2026-12-01T01:00:00Z'))
    expect(siteOpenness(Date.parse('2026-11-25T03:00:00Z'), s)).toMatchObject({ open: false, closedAllDay: true })
    // A Saturday worked (调休) keeps Monday's hours.
    const sat = { ...s, openingHours: { '1': day }, makeUpWorkdays: ['2026-11-28'] }
    expect(siteOpenness(Date.parse('2026-11-28T02:00:00Z'), sat).open).toBe(true)
  })
})

describe('quiet alerts', () => {
  it('holds back a silenced rule until the silence expires, then raises it', async () => {
    const { e, kinds } = engine()
    const silences = new SilenceStore(db, () => clock)
    await silences.create({ kioskId: K, rule: 'paperOut', reason: 'roll on order', expiresAt: T0 + 30 * MIN }, 'ada')
    await health('inService', 'out')
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]).toEqual([expect.objectContaining({ reason: 'silenced', rule: 'paperOut' })])
    // The engine wakes by the time the silence ends (earlier here: the kiosk's health deadline).
    expect(e.dueAt(K)).toBeLessThanOrEqual(T0 + 30 * MIN)
    clock = T0 + 30 * MIN
    await health('inService', 'out')
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:paperOut'])
  })

  it('a silence of another site or rule does not hold an alert back; an ended one no longer does', async () => {
    const { e, kinds } = engine()
    const silences = new SilenceStore(db, () => clock)
    await silences.create({ siteId: 'elsewhere', reason: 'works', expiresAt: T0 + 30 * MIN }, 'ada')
    await silences.create({ kioskId: K, rule: 'paperLow', reason: 'x', expiresAt: T0 + 30 * MIN }, 'ada')
    const mine = await silences.create({ siteId: SITE, reason: 'station move', expiresAt: T0 + 30 * MIN }, 'ada')
    await health('inService', 'out')
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(await silences.end(mine.id, 'ben')).toMatchObject({ endedBy: 'ben' })
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:paperOut'])
  })

  it('raises nothing while the kiosk is in maintenance mode, not even offline while it reboots', async () => {
    const { e, kinds } = engine()
    await health('maintenance', 'out')
    await e.evaluate([K])
    await offline()
    clock += 60 * MIN
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]?.map((s) => s.reason)).toEqual(['maintenance'])
    // Back in service with the paper still out: raised.
    await write((b) =>
      b.states.push({ kioskId: K, payload: { state: 'online', session: 2, ts: clock }, receivedAt: clock }),
    )
    await health('inService', 'out')
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:paperOut'])
  })

  it('a kiosk switched off after closing is closed, not offline; still off after opening it is reported', async () => {
    await siteHours()
    const { e, kinds } = engine()
    clock = T0 + 90 * MIN // Tuesday 17:30
    await offline()
    await e.evaluate([K])
    clock += 10 * MIN
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]).toEqual([expect.objectContaining({ reason: 'closed', rule: 'kioskOffline' })])
    // The engine wakes at Wednesday 09:00 and gives the kiosk raiseAfterMs from the opening.
    const opening = Date.parse('2026-11-25T01:00:00Z')
    expect(e.dueAt(K)).toBe(opening)
    clock = opening
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.dueAt(K)).toBe(opening + 5 * MIN)
    clock = opening + 5 * MIN
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:kioskOffline'])
  })

  it('raises nothing on a public holiday or a planned closure of the site', async () => {
    await siteHours(['2026-11-25'], ['2026-11-26'])
    const { e, kinds } = engine()
    clock = Date.parse('2026-11-25T02:00:00Z') // Wednesday 10:00, a holiday
    await health('inService', 'out')
    await offline()
    await e.evaluate([K])
    clock = Date.parse('2026-11-26T04:00:00Z') // Thursday 12:00, the site's own closure
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.suppressions(K)[K]?.map((s) => s.reason)).toEqual(['closure'])
    clock = Date.parse('2026-11-27T01:05:00Z') // Friday 09:05: open again
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:kioskOffline'])
  })

  it('a site without its own schedule is never held back: its hours are not known', async () => {
    const { e, kinds } = engine()
    clock = Date.parse('2026-11-24T15:00:00Z') // 23:00 local
    await offline()
    clock += 5 * MIN
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:kioskOffline'])
  })
})

import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Database, Queryable } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { emptyBatch, type IngestBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { alertPolicyFrom } from './alert-config.ts'
import { AlertEngine, type AlertEvent } from './alert-engine.ts'
import { type AlertPolicy, DEFAULT_ALERT_POLICY } from './alert-rules.ts'

const logger = pino({ level: 'silent' })
let db: Database
let seq = 10
const T0 = Date.parse('2026-11-24T08:00:00Z')
let clock = T0
const K = 'hx-tc01-id-01'

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.exec(
    'TRUNCATE kiosks, sites, peripherals, health_history, kiosk_events, presence_history, alerts, alert_conditions CASCADE',
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

/** The receipt printer's status as a kiosk would report it in a health snapshot at `clock`. */
async function receipt(status: Record<string, string>, counters: Record<string, number> = {}) {
  seq += 1
  await write((b) =>
    b.health.push({
      kioskId: K,
      payload: sampleHealth({
        seq,
        ts: clock,
        peripherals: [
          { deviceId: 'idcard', status: { state: 'online' }, counters },
          { deviceId: 'receipt', status: status as never, counters: {} },
        ],
      }),
      receivedAt: clock,
    }),
  )
}

/** The default policy with kioskOffline raised after `raiseAfterMs`, merged as the config loader does. */
const offlineAfter = (raiseAfterMs: number) =>
  alertPolicyFrom({
    missedHealthFactor: DEFAULT_ALERT_POLICY.missedHealthFactor,
    rules: { kioskOffline: { raiseAfterMs } },
    overrides: [],
  })

function engine(policy: AlertPolicy = DEFAULT_ALERT_POLICY) {
  const events: AlertEvent[] = []
  const e = new AlertEngine({ db, policy, logger, now: () => clock, onEvents: (batch) => events.push(...batch) })
  return { e, events, kinds: () => events.map((x) => `${x.kind}:${x.alert.rule}:${x.alert.deviceId}`) }
}

describe('AlertEngine', () => {
  it('raises paper out at once and resolves it when paper is back', async () => {
    const { e, kinds } = engine()
    await receipt({ state: 'userError', paper: 'out' })
    await e.evaluate([K])
    expect(kinds()).toContain('raised:paperOut:receipt')
    clock += 10_000
    await receipt({ state: 'online', paper: 'full' })
    await e.evaluate([K])
    expect(kinds()).toContain('resolved:paperOut:receipt')
    await e.stop()
  })

  it("joins evaluations asked while one runs into one, each caller getting its own kiosks' events", async () => {
    const K2 = 'hx-tc01-id-02'
    await write((b) => {
      b.births.push({ kioskId: K2, payload: sampleBirth({ kioskId: K2, seq: 1 }), receivedAt: clock })
      b.states.push({ kioskId: K2, payload: { state: 'online', session: 1, ts: clock }, receivedAt: clock })
    })
    await receipt({ state: 'userError', paper: 'out' })
    await write((b) =>
      b.health.push({
        kioskId: K2,
        payload: sampleHealth({
          seq: 2,
          ts: clock,
          peripherals: [{ deviceId: 'receipt', status: { state: 'userError', paper: 'out' }, counters: {} }],
        }),
        receivedAt: clock,
      }),
    )
    // Each evaluation is one transaction: count them.
    let transactions = 0
    const counted: Database = Object.assign(Object.create(db) as Database, {
      transaction: ((fn) => {
        transactions += 1
        return db.transaction(fn)
      }) as Database['transaction'],
    })
    const e = new AlertEngine({ db: counted, policy: DEFAULT_ALERT_POLICY, logger, now: () => clock })
    const first = e.evaluate([K])
    await new Promise((r) => setImmediate(r))
    // The first one has started: these two wait behind it as one evaluation of both kiosks.
    const second = e.evaluate([K2])
    const third = e.evaluate([K])
    const names = (events: AlertEvent[]) => events.map((x) => `${x.kind}:${x.alert.kioskId}:${x.alert.rule}`)
    expect(names(await first)).toEqual([`raised:${K}:paperOut`])
    expect(names(await second)).toEqual([`raised:${K2}:paperOut`])
    expect(names(await third)).toEqual([])
    expect(transactions).toBe(2)
    await e.stop()
  })

  it('waits raiseAfterMs before raising a device fault, and does not flap on a short glitch', async () => {
    const { e, kinds } = engine()
    await receipt({ state: 'hardwareError', errorCode: 'cutterError' })
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    expect(e.dueAt(K)).toBe(T0 + 60_000)
    clock += 20_000
    await receipt({ state: 'online' })
    await e.evaluate([K])
    clock += 50_000
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    await receipt({ state: 'hardwareError', errorCode: 'cutterError' })
    await e.evaluate([K])
    clock += 60_000
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:deviceFault:receipt'])
    // Repeated evaluations keep one open alert (dedup).
    await e.evaluate([K])
    expect(await db.query("SELECT id FROM alerts WHERE state <> 'resolved'")).toHaveLength(1)
    // Clearing also needs clearAfterMs of good status.
    await receipt({ state: 'online' })
    await e.evaluate([K])
    clock += 10_000
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:deviceFault:receipt'])
    clock += 20_000
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:deviceFault:receipt', 'resolved:deviceFault:receipt'])
    await e.stop()
  })

  it('writes a pending condition once, not again on every evaluation while it waits', async () => {
    const writes: string[] = []
    const counting = new Proxy(db, {
      get(target, name, receiver) {
        if (name !== 'transaction') return Reflect.get(target, name, receiver)
        return (work: (tx: Queryable) => Promise<unknown>) =>
          target.transaction((tx) =>
            work(
              new Proxy(tx, {
                get(t, n, r) {
                  if (n !== 'query') return Reflect.get(t, n, r)
                  return (sql: string, params?: unknown[]) => {
                    if (/^\s*(INSERT|UPDATE|DELETE)/.test(sql))
                      writes.push(sql.trim().split(/\s+/).slice(0, 3).join(' '))
                    return t.query(sql, params)
                  }
                },
              }),
            ),
          )
      },
    })
    const e = new AlertEngine({ db: counting, policy: DEFAULT_ALERT_POLICY, logger, now: () => clock })
    await receipt({ state: 'hardwareError', errorCode: 'cutterError' })
    await e.evaluate([K])
    expect(writes).toEqual(['INSERT INTO alert_conditions'])
    for (const step of [10_000, 10_000, 10_000]) {
      clock += step
      await receipt({ state: 'hardwareError', errorCode: 'cutterError' })
      await e.evaluate([K])
    }
    expect(writes).toEqual(['INSERT INTO alert_conditions'])
    expect(await db.query('SELECT since FROM alert_conditions')).toHaveLength(1)
    clock += 30_000
    await e.evaluate([K])
    expect(writes).toEqual(['INSERT INTO alert_conditions', 'INSERT INTO alerts', 'DELETE FROM alert_conditions'])
    await e.stop()
  })

  it('reports a kiosk offline from its Last Will after offlineAfter, exactly at the deadline', async () => {
    const { e, kinds } = engine(offlineAfter(120_000))
    clock += 5_000
    await write((b) =>
      b.states.push({
        kioskId: K,
        payload: { state: 'offline', session: 1, ts: T0, reason: 'lastWill' },
        receivedAt: clock,
      }),
    )
    await e.evaluate([K])
    expect(e.dueAt(K)).toBe(T0 + 5_000 + 120_000)
    clock = T0 + 5_000 + 119_999
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    clock += 1
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:kioskOffline:'])
    await e.stop()
  })

  it('waits again when its timer fires a moment early by the clock, and then reports the kiosk offline', async () => {
    // Timers and the wall clock disagree by a millisecond now and then: the engine's timer fired
    // with nothing due yet, evaluated no kiosk, never re-armed, and the offline kiosk went unreported.
    let clockReads = 0
    const events: AlertEvent[] = []
    const e = new AlertEngine({
      db,
      policy: offlineAfter(30),
      logger,
      now: () => {
        clockReads += 1
        return clock
      },
      onEvents: (batch) => events.push(...batch),
    })
    await write((b) =>
      b.states.push({
        kioskId: K,
        payload: { state: 'offline', session: 1, ts: T0, reason: 'lastWill' },
        receivedAt: T0,
      }),
    )
    await e.evaluate([K])
    expect(e.dueAt(K)).toBe(T0 + 30)
    // The timer (30 ms) fires while this clock still stands before the deadline…
    const readsBefore = clockReads
    await vi.waitFor(() => expect(clockReads).toBeGreaterThan(readsBefore), { timeout: 10_000, interval: 5 })
    expect(events).toEqual([])
    // …and when the clock reaches it, the engine, still armed, raises the alert on its own.
    clock = T0 + 30
    await vi.waitFor(() => expect(events.map((x) => `${x.kind}:${x.alert.rule}`)).toEqual(['raised:kioskOffline']), {
      timeout: 10_000,
    })
    await e.stop()
  })

  it('counts a kiosk that stopped sending health as offline at last seen + 2.5 intervals', async () => {
    const { e, kinds } = engine(offlineAfter(0))
    await receipt({ state: 'online' })
    await e.evaluate([K])
    expect(e.dueAt(K)).toBe(T0 + 75_000)
    clock = T0 + 75_000
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:kioskOffline:'])
    await e.stop()
  })

  it('keeps a latched alert until someone acknowledges it', async () => {
    const { e, kinds } = engine()
    await receipt({ state: 'online' }, { samErrors: 0 })
    clock += 60_000
    await receipt({ state: 'online' }, { samErrors: 9 })
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:samErrors:idcard'])
    clock += 2 * 3_600_000
    await receipt({ state: 'online' }, { samErrors: 9 })
    await e.evaluate([K])
    expect(kinds()).toEqual(['raised:samErrors:idcard', 'cleared:samErrors:idcard'])
    const [open] = await db.query<{ id: number }>("SELECT id FROM alerts WHERE state = 'cleared'")
    const acked = await e.acknowledge(Number(open?.id), 'dora')
    expect(acked?.alert).toMatchObject({ state: 'resolved', acknowledgedBy: 'dora' })
    await e.stop()
  })

  it('marks services unavailable only after they stay so, and applies per-machine-type overrides', async () => {
    const policy: AlertPolicy = {
      ...DEFAULT_ALERT_POLICY,
      overrides: [{ rule: 'paperLow', machineType: 'id', settings: { enabled: false } }],
    }
    const { e, kinds } = engine(policy)
    const reportUnavailable = async () => {
      seq += 1
      await write((b) =>
        b.health.push({
          kioskId: K,
          payload: sampleHealth({
            seq,
            ts: clock,
            services: [{ serviceId: 'id-receipt', available: false, blockedBy: ['receipt'] }],
          }),
          receivedAt: clock,
        }),
      )
    }
    await reportUnavailable()
    await e.evaluate([K])
    expect(kinds()).toEqual([])
    for (let i = 0; i < 4; i++) {
      clock += 30_000
      await reportUnavailable()
      await e.evaluate([K])
    }
    expect(kinds()).toEqual(['raised:serviceUnavailable:service:id-receipt'])
    await e.stop()
  })
})

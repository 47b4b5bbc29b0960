import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertEngine } from '../alerts/alert-engine.ts'
import { DEFAULT_ALERT_POLICY } from '../alerts/alert-rules.ts'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { IngestStore } from './ingest-store.ts'
import { Ingestor } from './ingestor.ts'
import type { MissingRun } from './seq-gaps.ts'

const logger = pino({ level: 'silent' })
const codecs = createCodecs()
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
let db: Database

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())

describe('messages a kiosk sent that never arrived', () => {
  it('are counted on the kiosk and raise the latched messagesMissing alert; reordering raises nothing', async () => {
    let now = Date.parse('2026-12-05T09:00:00Z')
    const store = new IngestStore(db)
    const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger, now: () => now })
    const recorded: Promise<unknown>[] = []
    const ingestor = new Ingestor({
      store,
      codecs,
      logger,
      maxBatch: 100,
      maxDelayMs: 1000,
      maxQueue: 1000,
      gapGraceMs: 30_000,
      now: () => now,
      onMissing: (runs: MissingRun[]) => {
        recorded.push(store.recordMissing(runs, now).then((ids) => alerts.evaluate(ids)))
      },
    })
    const rules = async () =>
      (
        await db.query<{ rule: string }>(
          "SELECT rule FROM alerts WHERE kiosk_id = 'k-gap' AND rule = 'messagesMissing' AND state <> 'resolved'",
        )
      ).map((r) => r.rule)
    ingestor.accept('kiosk/v1/k-gap/birth', encode(sampleBirth({ kioskId: 'k-gap', seq: 1, ts: now })))
    // Health 2 overtaken by health 3 (another topic's order): no gap once 2 arrives.
    ingestor.accept('kiosk/v1/k-gap/health', encode(sampleHealth({ seq: 3, ts: now })))
    ingestor.accept('kiosk/v1/k-gap/health', encode(sampleHealth({ seq: 2, ts: now })))
    // 4 and 5 never come.
    ingestor.accept('kiosk/v1/k-gap/health', encode(sampleHealth({ seq: 6, ts: now })))
    await ingestor.flush()
    await Promise.all(recorded)
    expect(await rules()).toEqual([])

    now += 31_000
    ingestor.accept('kiosk/v1/k-gap/health', encode(sampleHealth({ seq: 7, ts: now })))
    await ingestor.flush()
    await Promise.all(recorded)
    const [kiosk] = await db.query<{ missing_messages: string | number }>(
      "SELECT missing_messages FROM kiosks WHERE id = 'k-gap'",
    )
    expect(Number(kiosk?.missing_messages)).toBe(2)
    expect(await rules()).toEqual(['messagesMissing'])
    // Latched: an hour later the condition is gone, the alert waits for someone to acknowledge it.
    now += 2 * 3_600_000
    await alerts.evaluate(['k-gap'])
    expect(await rules()).toEqual(['messagesMissing'])
  })
})

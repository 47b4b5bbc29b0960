import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import type { IngestBatch } from './ingest-batch.ts'
import { IngestStore } from './ingest-store.ts'
import { Ingestor } from './ingestor.ts'

const logger = pino({ level: 'silent' })
let db: Database

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.exec('TRUNCATE kiosks, sites, peripherals, health_history, kiosk_events, presence_history CASCADE')
})

describe('Ingestor', () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
  const codecs = createCodecs()

  it('counts and drops malformed payloads without stopping', async () => {
    const ingestor = new Ingestor({
      store: new IngestStore(db),
      codecs,
      logger,
      maxBatch: 100,
      maxDelayMs: 5,
      maxQueue: 1000,
    })
    ingestor.accept('kiosk/v1/k1/health', new TextEncoder().encode('{nope'))
    ingestor.accept('kiosk/v1/k1/health', encode({ seq: 'x' }))
    ingestor.accept('kiosk/v1/k1/health', new Uint8Array(300 * 1024))
    ingestor.accept('kiosk/v1/k1/birth', encode(sampleBirth({ kioskId: 'someone-else' })))
    ingestor.accept('kiosk/v9/k1/health', encode(sampleHealth()))
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 3 })))
    await ingestor.flush()
    expect(ingestor.stats.invalid).toEqual({ topic: 1, notJson: 1, schema: 1, tooLarge: 1, mismatch: 1 })
    expect(ingestor.stats.written).toBe(1)
  })

  it('batches many messages into few transactions', async () => {
    const ingestor = new Ingestor({
      store: new IngestStore(db),
      codecs,
      logger,
      maxBatch: 500,
      maxDelayMs: 1000,
      maxQueue: 10_000,
    })
    for (let seq = 1; seq <= 1200; seq++) ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq })))
    await ingestor.flush()
    expect(ingestor.stats.written).toBe(1200)
    expect(ingestor.stats.batches).toBe(3)
  })

  it('keeps the rest of a batch when the database refuses one message', async () => {
    const store = new IngestStore(db)
    const poisoned = {
      writeBatch: (b: IngestBatch) =>
        b.health.some((h) => h.payload.seq === 13)
          ? Promise.reject(Object.assign(new Error('value out of range'), { code: '22003' }))
          : store.writeBatch(b),
    }
    const ingestor = new Ingestor({ store: poisoned, codecs, logger, maxBatch: 100, maxDelayMs: 1000, maxQueue: 1000 })
    for (let seq = 10; seq <= 15; seq++) ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq })))
    await ingestor.flush()
    expect(ingestor.stats.failed).toBe(1)
    expect(ingestor.stats.written).toBe(5)
  })

  it('notes sequence gaps once the grace period passed, not late arrivals, not retained replays', async () => {
    let now = 0
    const ingestor = new Ingestor({
      store: new IngestStore(db),
      codecs,
      logger,
      maxBatch: 100,
      maxDelayMs: 1000,
      maxQueue: 1000,
      gapGraceMs: 30_000,
      now: () => now,
    })
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 50 })), true)
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 3 })), true)
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 4 })))
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 8 })))
    // 6 arrives late (another topic overtook it): it is no gap.
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 6 })))
    await ingestor.flush()
    expect(ingestor.stats.seqGaps).toBe(0)
    now = 31_000
    ingestor.accept('kiosk/v1/k1/health', encode(sampleHealth({ seq: 9 })))
    await ingestor.flush()
    expect(ingestor.stats).toMatchObject({ seqGaps: 2, missingMessages: 2 })
  })
})

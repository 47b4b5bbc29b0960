import { createCodecs, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import type { IngestBatch } from './ingest-batch.ts'
import { IngestStore, type WriteResult } from './ingest-store.ts'
import { Ingestor } from './ingestor.ts'

const logger = pino({ level: 'silent' })
const codecs = createCodecs()
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
let db: Database

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.exec('TRUNCATE kiosks, sites, peripherals, health_history, kiosk_events, presence_history CASCADE')
})

const storedSeqs = async () =>
  (await db.query<{ seq: number }>('SELECT seq FROM health_history ORDER BY seq')).map((r) => r.seq)

describe('Ingestor acknowledgements', () => {
  it('acknowledges a message only once its batch is committed, in arrival order', async () => {
    const store = new IngestStore(db)
    let release = (): void => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const held = { writeBatch: async (b: IngestBatch) => gate.then(() => store.writeBatch(b)) }
    const ingestor = new Ingestor({ store: held, codecs, logger, maxBatch: 2, maxDelayMs: 1000, maxQueue: 100 })
    const acked: string[] = []
    const send = (topic: string, payload: Uint8Array, id: string) =>
      ingestor.accept({ topic, payload, ack: () => acked.push(id) })
    send('kiosk/v1/k1/health', encode(sampleHealth({ seq: 1 })), 'a')
    send('kiosk/v1/k1/health', new TextEncoder().encode('{nope'), 'bad')
    send('kiosk/v1/k1/health', encode(sampleHealth({ seq: 2 })), 'b')
    send('kiosk/v1/k1/res/ping', encode({ transaction: 't', status: 'ok', data: {} }), 'response')
    send('kiosk/v1/k1/health', encode(sampleHealth({ seq: 3 })), 'c')
    await new Promise((resolve) => setTimeout(resolve, 20))
    // Nothing is committed yet, so nothing is acknowledged, not even the refused message behind "a".
    expect(acked).toEqual([])
    expect(ingestor.unacknowledged).toBe(5)
    release()
    await ingestor.flush()
    expect(acked).toEqual(['a', 'bad', 'b', 'response', 'c'])
    expect(await storedSeqs()).toEqual([1, 2, 3])
    expect(ingestor.stats.acknowledged).toBe(5)
  })

  it('holds acknowledgements through a database outage and loses nothing', async () => {
    const store = new IngestStore(db)
    let down = true
    const flaky = {
      writeBatch: (b: IngestBatch): Promise<WriteResult> =>
        down
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
          : store.writeBatch(b),
    }
    const ingestor = new Ingestor({
      store: flaky,
      codecs,
      logger,
      maxBatch: 10,
      maxDelayMs: 1,
      maxQueue: 100,
      retryDelayMs: 5,
    })
    const acked: number[] = []
    for (let seq = 1; seq <= 25; seq++)
      ingestor.accept({
        topic: 'kiosk/v1/k1/health',
        payload: encode(sampleHealth({ seq })),
        ack: () => acked.push(seq),
      })
    const flushed = ingestor.flush()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(acked).toEqual([])
    expect(ingestor.stats.storeRetries).toBeGreaterThan(2)
    expect(ingestor.stats.failed).toBe(0)
    down = false
    await flushed
    expect(acked).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(await storedSeqs()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
  })

  it('rejects, counts and acknowledges a message the database refuses for its content', async () => {
    const store = new IngestStore(db)
    const poisoned = {
      writeBatch: (b: IngestBatch) =>
        b.health.some((h) => h.payload.seq === 2)
          ? Promise.reject(Object.assign(new Error('invalid input syntax'), { code: '22P02' }))
          : store.writeBatch(b),
    }
    const ingestor = new Ingestor({ store: poisoned, codecs, logger, maxBatch: 10, maxDelayMs: 1000, maxQueue: 100 })
    const acked: number[] = []
    for (let seq = 1; seq <= 3; seq++)
      ingestor.accept({
        topic: 'kiosk/v1/k1/health',
        payload: encode(sampleHealth({ seq })),
        ack: () => acked.push(seq),
      })
    await ingestor.flush()
    expect(acked).toEqual([1, 2, 3])
    expect(ingestor.stats.failed).toBe(1)
    expect(await storedSeqs()).toEqual([1, 3])
  })
})

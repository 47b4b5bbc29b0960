import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { IngestStore, recordMissing } from './ingest-store.ts'
import { Ingestor } from './ingestor.ts'
import { HoleClock, MissingMessageCheck, readHoles } from './stream-ledger.ts'

const logger = pino({ level: 'silent' })
const codecs = createCodecs()
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const GRACE = 30_000
let db: Database
let now = Date.parse('2026-12-06T09:00:00Z')

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
})
afterAll(async () => db.close())

/** One replica's ingest, splitting streams with its siblings: numbers go to the ledger. */
function replica(): Ingestor {
  return new Ingestor({
    store: new IngestStore(db),
    codecs,
    logger,
    maxBatch: 1000,
    maxDelayMs: 60_000,
    maxQueue: 10_000,
    gaps: 'ledger',
    now: () => now,
  })
}
const check = () => new MissingMessageCheck({ db, graceMs: GRACE, now: () => now, record: recordMissing })
const health = (r: Ingestor, kioskId: string, seq: number, retained = false) =>
  r.accept(`kiosk/v1/${kioskId}/health`, encode(sampleHealth({ seq, ts: now })), retained)
const missingOf = async (kioskId: string) =>
  Number(
    (await db.query<{ n: string | number }>('SELECT missing_messages AS n FROM kiosks WHERE id = $1', [kioskId]))[0]?.n,
  )

describe('the ledger of kiosk streams split across replicas', () => {
  it('sees no gap where a sibling replica took the message, and counts a real one once across replicas', async () => {
    const [a, b] = [replica(), replica()]
    a.accept('kiosk/v1/k-split/birth', encode(sampleBirth({ kioskId: 'k-split', seq: 1, ts: now })))
    // The broker hands every other message to each replica, and b commits its part first.
    for (let seq = 2; seq <= 20; seq++) health(seq % 2 === 0 ? a : b, 'k-split', seq)
    await b.flush()
    expect(await readHoles(db)).not.toEqual([])
    await a.flush()
    const [first, second] = [check(), check()]
    expect(await first.check()).toEqual([])
    now += GRACE
    expect(await second.check()).toEqual([])
    expect(await readHoles(db)).toEqual([])

    // 21 and 22 never arrive anywhere; 23 reaches b.
    health(b, 'k-split', 23)
    await b.flush()
    expect(await first.check()).toEqual([])
    now += GRACE / 2
    expect(await second.check()).toEqual([])
    expect(await missingOf('k-split')).toBe(0)
    now += GRACE / 2
    // The replica that saw it first counts it, on the kiosk, and closes it.
    expect(await first.check()).toEqual([{ kioskId: 'k-split', from: 21, to: 22 }])
    expect(await missingOf('k-split')).toBe(2)
    // The other replica, whose clock had seen the hole too, finds it closed: counted once.
    now += GRACE
    expect(await second.check()).toEqual([])
    // A late arrival of a counted number changes nothing.
    health(a, 'k-split', 21)
    await a.flush()
    now += GRACE
    expect(await first.check()).toEqual([])
    expect(await missingOf('k-split')).toBe(2)
  })

  it('waits again for a hole a late message partly filled, and never counts what came before the stream', async () => {
    const [a, b] = [replica(), replica()]
    // The stream starts at the first live number committed: a retained replay (3) and anything lower
    // a sibling commits later are before it, not holes.
    health(b, 'k-late', 10)
    await b.flush()
    health(a, 'k-late', 3, true)
    health(a, 'k-late', 15)
    await a.flush()
    const c = check()
    expect(await c.check()).toEqual([])
    now += GRACE - 1000
    // 12 arrives late: what is left (11, 13–14) waits its own grace period.
    health(b, 'k-late', 12)
    await b.flush()
    expect(await c.check()).toEqual([])
    now += GRACE - 1
    expect(await c.check()).toEqual([])
    now += 1
    expect(await c.check()).toEqual([
      { kioskId: 'k-late', from: 11, to: 11 },
      { kioskId: 'k-late', from: 13, to: 14 },
    ])
    // A kiosk whose counter started again (reinstalled) is not a hole of millions.
    health(a, 'k-late', 1)
    health(a, 'k-late', 2)
    await a.flush()
    now += GRACE
    expect(await c.check()).toEqual([])
    expect(await missingOf('k-late')).toBe(3)
  })
})

describe('HoleClock', () => {
  it('returns a hole once it stayed the same for the grace period, and forgets holes that closed', () => {
    const clock = new HoleClock(10)
    const hole = { kioskId: 'k', from: 5, to: 6 }
    expect(clock.due([hole], 0)).toEqual([])
    expect(clock.due([], 5)).toEqual([])
    // Seen again after it closed: a new hole, a new wait.
    expect(clock.due([hole], 6)).toEqual([])
    expect(clock.due([hole], 15)).toEqual([])
    expect(clock.due([hole], 16)).toEqual([hole])
    expect(clock.due([hole], 17)).toEqual([])
  })
})

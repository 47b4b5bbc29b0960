import {
  type Database,
  emptyBatch,
  type IngestBatch,
  IngestStore,
  KioskRepo,
  migrate,
  openDatabase,
  type Principal,
} from '@fleet/server'
import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases.ts'
import { quietLogger as logger } from '../support/fleet.ts'

const kioskId = sampleBirth().kioskId
const ADMIN: Principal = { userId: 'test', displayName: 'test', role: 'admin', departments: [], sites: [], vendors: [] }
function batch(fill: (b: IngestBatch) => void): IngestBatch {
  const b = emptyBatch()
  fill(b)
  return b
}
const at = 1_764_000_000_000

describe.each(DATABASE_KINDS)('ingest store on %s', (kind) => {
  let testDb: TestDatabase
  let db: Database
  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    db = await openDatabase(testDb.config, logger)
    await migrate(db, logger)
  })
  afterAll(async () => {
    await db.close()
    await testDb.drop()
  })
  beforeEach(async () => {
    await db.exec('TRUNCATE kiosks, sites, peripherals, health_history, kiosk_events, presence_history CASCADE')
  })

  it('stores birth, health and presence as latest state', async () => {
    const store = new IngestStore(db)
    await store.writeBatch(
      batch((b) => {
        b.births.push({ kioskId, payload: sampleBirth({ seq: 1 }), receivedAt: at })
        b.states.push({ kioskId, payload: { state: 'online', session: 1, ts: at }, receivedAt: at })
        b.health.push({ kioskId, payload: sampleHealth({ seq: 2 }), receivedAt: at })
      }),
    )
    const kiosk = await new KioskRepo(db).get(kioskId, ADMIN)
    expect(kiosk).toMatchObject({ state: 'online', machineType: 'id', site: { name: '花溪镇便民服务中心' } })
    expect(kiosk?.peripherals.find((p) => p.deviceId === 'receipt')).toMatchObject({
      vendor: 'Epson',
      status: { state: 'online', paper: 'low' },
      counters: { jobs: 40 },
    })
  })

  it('is idempotent on (kiosk, seq): a replayed batch changes nothing and counts duplicates', async () => {
    const store = new IngestStore(db)
    const b = batch((x) => {
      x.births.push({ kioskId, payload: sampleBirth({ seq: 1 }), receivedAt: at })
      for (let seq = 2; seq <= 5; seq++)
        x.health.push({ kioskId, payload: sampleHealth({ seq, uptimeS: seq }), receivedAt: at })
    })
    const first = await store.writeBatch(b)
    const second = await store.writeBatch(b)
    expect(first.duplicates).toBe(0)
    expect(second.duplicates).toBe(4)
    expect(second.changedKiosks).toEqual([])
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM health_history')
    expect(rows[0]?.n).toBe(4)
  })

  it('never moves latest health or peripheral status backwards in seq', async () => {
    const store = new IngestStore(db)
    const newer = sampleHealth({ seq: 10, uptimeS: 100 })
    const older = sampleHealth({
      seq: 9,
      uptimeS: 90,
      peripherals: [{ deviceId: 'receipt', status: { state: 'offline' }, counters: {} }],
    })
    await store.writeBatch(batch((b) => b.health.push({ kioskId, payload: newer, receivedAt: at })))
    await store.writeBatch(batch((b) => b.health.push({ kioskId, payload: older, receivedAt: at })))
    const [row] = await db.query<{ health_seq: number }>('SELECT health_seq FROM kiosk_health WHERE kiosk_id = $1', [
      kioskId,
    ])
    expect(row?.health_seq).toBe(10)
    const kiosk = await new KioskRepo(db).get(kioskId, ADMIN)
    expect(kiosk?.peripherals.find((p) => p.deviceId === 'receipt')?.status).toEqual({
      state: 'online',
      paper: 'low',
      cover: 'closed',
    })
    expect(await new KioskRepo(db).healthHistory(kioskId, { limit: 10 })).toHaveLength(2)
  })

  it('ignores a late Last Will of an older session', async () => {
    const store = new IngestStore(db)
    await store.writeBatch(
      batch((b) => b.states.push({ kioskId, payload: { state: 'online', session: 5, ts: at }, receivedAt: at })),
    )
    await store.writeBatch(
      batch((b) =>
        b.states.push({
          kioskId,
          payload: { state: 'offline', session: 4, ts: at, reason: 'lastWill' },
          receivedAt: at + 1,
        }),
      ),
    )
    expect((await new KioskRepo(db).get(kioskId, ADMIN))?.state).toBe('online')
    await store.writeBatch(
      batch((b) =>
        b.states.push({
          kioskId,
          payload: { state: 'offline', session: 5, ts: at, reason: 'lastWill' },
          receivedAt: at + 2,
        }),
      ),
    )
    const kiosk = await new KioskRepo(db).get(kioskId, ADMIN)
    expect(kiosk?.state).toBe('offline')
    expect(kiosk?.stateChangedAt).toBe(new Date(at + 2).toISOString())
    expect((await new KioskRepo(db).presence(kioskId, 10)).map((p) => p.state)).toEqual(['offline', 'online'])
  })

  it('reports kiosks seen without a birth so the server can ask for a rebirth', async () => {
    const result = await new IngestStore(db).writeBatch(
      batch((b) => b.health.push({ kioskId: 'stranger', payload: sampleHealth({ seq: 7 }), receivedAt: at })),
    )
    expect(result.unknownKiosks).toEqual(['stranger'])
  })

  it('takes the birth inventory as authoritative (removed peripherals disappear)', async () => {
    const store = new IngestStore(db)
    await store.writeBatch(batch((b) => b.births.push({ kioskId, payload: sampleBirth({ seq: 1 }), receivedAt: at })))
    const onlyReader = sampleBirth({ seq: 3 })
    onlyReader.peripherals = onlyReader.peripherals.slice(0, 1)
    await store.writeBatch(batch((b) => b.births.push({ kioskId, payload: onlyReader, receivedAt: at })))
    expect((await new KioskRepo(db).get(kioskId, ADMIN))?.peripherals.map((p) => p.deviceId)).toEqual(['idcard'])
  })
})

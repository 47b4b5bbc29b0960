import { sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { pruneHistory } from './retention.ts'

let db: Database
beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, pino({ level: 'silent' }))
})
afterAll(async () => db.close())

describe('pruneHistory', () => {
  it('deletes health older than the policy and keeps recent history and latest state', async () => {
    const now = new Date('2026-11-24T00:00:00Z')
    const day = 86_400_000
    const batch = emptyBatch()
    for (const [seq, ageDays] of [
      [1, 40],
      [2, 31],
      [3, 29],
      [4, 1],
    ] as const) {
      batch.health.push({
        kioskId: 'k1',
        payload: sampleHealth({ seq, ts: now.getTime() - ageDays * day }),
        receivedAt: now.getTime(),
      })
    }
    await new IngestStore(db).writeBatch(batch)
    expect(await pruneHistory(db, { healthDays: 30, eventsDays: 180 }, now)).toEqual({
      health: 2,
      events: 0,
      presence: 0,
      // The services' daily roll-up of the two old snapshots (two services each, on two days), kept
      // 30 days by default: per kiosk one row a day (the snapshot's kind), per department one a service.
      serviceAvailability: 6,
      screenshots: 0,
    })
    const left = await db.query<{ seq: number }>('SELECT seq FROM health_history ORDER BY seq')
    expect(left.map((r) => r.seq)).toEqual([3, 4])
    const [kiosk] = await db.query<{ health_seq: number }>("SELECT health_seq FROM kiosk_health WHERE kiosk_id = 'k1'")
    expect(kiosk?.health_seq).toBe(4)
  })

  it('deletes screenshots past their expiry, whatever the history policy', async () => {
    const now = new Date('2026-11-24T00:00:00Z')
    for (const [kioskId, expiresAt] of [
      ['k-old', '2026-11-23T23:59:59Z'],
      ['k-new', '2026-11-24T00:10:00Z'],
    ]) {
      await db.query(
        `INSERT INTO screenshots (kiosk_id, transaction, taken_at, expires_at, mime_type, width, height, image)
         VALUES ($1, $1, $2::timestamptz, $2::timestamptz, 'image/jpeg', 1, 1, '\\xffd8'::bytea)`,
        [kioskId, expiresAt],
      )
    }
    expect((await pruneHistory(db, { healthDays: 30, eventsDays: 180 }, now)).screenshots).toBe(1)
    const left = await db.query<{ kiosk_id: string }>('SELECT kiosk_id FROM screenshots')
    expect(left.map((r) => r.kiosk_id)).toEqual(['k-new'])
  })
})

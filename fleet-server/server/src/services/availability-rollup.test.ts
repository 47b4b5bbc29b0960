import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { MIGRATIONS_DIR, migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { pruneHistory } from '../history/retention.ts'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'

const logger = pino({ level: 'silent' })
const services = (available: boolean) => [{ serviceId: 'id-progress', available, blockedBy: [] }]
const byDepartment = (db: Database) =>
  db.query<{ department: string; day: string; snapshots: number; available: number }>(
    `SELECT department, to_char(day, 'YYYY-MM-DD') AS day, snapshots::int, available::int
     FROM service_availability_department_daily ORDER BY department, day`,
  )
const rolledUp = (db: Database) =>
  db.query<{ kiosk_id: string; day: string; service_id: string; snapshots: number; available: number }>(
    `SELECT kiosk_id, to_char(day, 'YYYY-MM-DD') AS day, service_id, sum(snapshots)::int AS snapshots,
            sum(available)::int AS available
     FROM service_availability_daily GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  )

let db: Database | undefined
afterEach(async () => {
  await db?.close()
  db = undefined
})

describe('service availability roll-up', () => {
  it('counts each stored snapshot once, by the day at the sites, and never a resend', async () => {
    db = await openPgliteDatabase(undefined)
    await migrate(db, logger)
    const store = new IngestStore(db)
    const write = async (snapshots: [seq: number, iso: string, available: boolean][]) => {
      const batch = emptyBatch()
      for (const [seq, iso, available] of snapshots) {
        const ts = Date.parse(iso)
        batch.health.push({
          kioskId: 'k1',
          receivedAt: ts,
          payload: sampleHealth({ seq, ts, services: services(available) }),
        })
      }
      return store.writeBatch(batch)
    }
    await write([
      [1, '2026-03-01T15:59:00Z', true], // 23:59 on 1 March at the sites
      [2, '2026-03-01T16:00:00Z', false], // 00:00 on 2 March
      [3, '2026-03-01T17:00:00Z', true],
      [3, '2026-03-01T17:00:00Z', true], // a duplicate within the batch
    ])
    const resent = await write([
      [2, '2026-03-01T16:00:00Z', false], // the outbox sends it again
      [4, '2026-03-02T01:00:00Z', true],
    ])
    expect(resent.duplicates).toBe(1)
    expect(await rolledUp(db)).toEqual([
      { kiosk_id: 'k1', day: '2026-03-01', service_id: 'id-progress', snapshots: 1, available: 1 },
      { kiosk_id: 'k1', day: '2026-03-02', service_id: 'id-progress', snapshots: 3, available: 2 },
    ])
    // k1 sent no birth: its department is unknown ('').
    expect(await byDepartment(db)).toEqual([
      { department: '', day: '2026-03-01', snapshots: 1, available: 1 },
      { department: '', day: '2026-03-02', snapshots: 3, available: 2 },
    ])
  })

  it("keeps a kiosk's day as one row per kind of snapshot, and gives every service's figures as before", async () => {
    db = await openPgliteDatabase(undefined)
    await migrate(db, logger)
    // Monday 2 November 2026; the kiosk has no site, so the fleet default hours (Mon–Fri 09:00–17:00).
    const at = (time: string) => Date.parse(`2026-11-02T${time}:00+08:00`)
    const batch = emptyBatch()
    let seq = 1
    for (const [time, down] of [
      ['10:00', []],
      ['11:00', []],
      ['12:00', []],
      ['13:00', ['tax-certificate']],
      ['14:00', ['tax-certificate']],
      ['20:00', []], // closed
    ] as const) {
      const ts = at(time)
      const listed = ['ss-certificate', 'id-progress', 'tax-certificate'].map((serviceId) => ({
        serviceId,
        available: !(down as readonly string[]).includes(serviceId),
        blockedBy: [],
      }))
      batch.health.push({ kioskId: 'k1', receivedAt: ts, payload: sampleHealth({ seq: seq++, ts, services: listed }) })
    }
    await new IngestStore(db).writeBatch(batch)
    expect(
      await db.query(
        `SELECT services, unavailable, snapshots, open_snapshots FROM service_snapshots_daily ORDER BY snapshots DESC`,
      ),
    ).toEqual([
      {
        services: ['id-progress', 'ss-certificate', 'tax-certificate'],
        unavailable: [],
        snapshots: 4,
        open_snapshots: 3,
      },
      {
        services: ['id-progress', 'ss-certificate', 'tax-certificate'],
        unavailable: ['tax-certificate'],
        snapshots: 2,
        open_snapshots: 2,
      },
    ])
    expect((await rolledUp(db)).map((r) => [r.service_id, r.snapshots, r.available])).toEqual([
      ['id-progress', 6, 6],
      ['ss-certificate', 6, 6],
      ['tax-certificate', 6, 4],
    ])
    const open = await db.query<{ service_id: string; snapshots: number; available: number }>(
      `SELECT service_id, sum(snapshots)::int AS snapshots, sum(available)::int AS available
       FROM service_availability_open_daily GROUP BY 1 ORDER BY 1`,
    )
    expect(open.map((r) => [r.service_id, r.snapshots, r.available])).toEqual([
      ['id-progress', 5, 5],
      ['ss-certificate', 5, 5],
      ['tax-certificate', 5, 3],
    ])
  })

  it('keeps the figures rolled up per service before the rows per kind (migration 050)', async () => {
    const before = mkdtempSync(join(tmpdir(), 'migrations-'))
    try {
      for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f < '050_')) {
        cpSync(join(MIGRATIONS_DIR, file), join(before, file))
      }
      db = await openPgliteDatabase(undefined)
      await migrate(db, logger, before)
      await db.query(
        `INSERT INTO service_availability_daily (kiosk_id, day, service_id, snapshots, available) VALUES
           ('k1', '2026-11-02', 'id-progress', 2880, 2880), ('k1', '2026-11-02', 'tax-certificate', 2880, 2000),
           ('k1', '2026-11-03', 'id-progress', 100, 0), ('k2', '2026-11-02', 'id-progress', 7, 3)`,
      )
      await db.query(
        `INSERT INTO service_availability_open_daily (kiosk_id, day, service_id, snapshots, available) VALUES
           ('k1', '2026-11-02', 'id-progress', 960, 960), ('k1', '2026-11-02', 'tax-certificate', 960, 500)`,
      )
      expect(await migrate(db, logger)).toContain('050_service_snapshots_daily.sql')
      expect((await rolledUp(db)).map((r) => [r.kiosk_id, r.day, r.service_id, r.snapshots, r.available])).toEqual([
        ['k1', '2026-11-02', 'id-progress', 2880, 2880],
        ['k1', '2026-11-02', 'tax-certificate', 2880, 2000],
        ['k1', '2026-11-03', 'id-progress', 100, 0],
        ['k2', '2026-11-02', 'id-progress', 7, 3],
      ])
      const open = await db.query<{ service_id: string; snapshots: number; available: number }>(
        `SELECT service_id, sum(snapshots)::int AS snapshots, sum(available)::int AS available
         FROM service_availability_open_daily GROUP BY kiosk_id, day, service_id ORDER BY kiosk_id, day, service_id`,
      )
      expect(open.map((r) => [r.service_id, r.snapshots, r.available])).toEqual([
        ['id-progress', 960, 960],
        ['tax-certificate', 960, 500],
      ])
    } finally {
      rmSync(before, { recursive: true, force: true })
    }
  })

  it("counts a kiosk's snapshots for the department it served when it sent them", async () => {
    db = await openPgliteDatabase(undefined)
    await migrate(db, logger)
    const store = new IngestStore(db)
    for (const [seq, department] of [
      [1, 'tax'],
      [2, 'hrss'],
    ] as const) {
      const ts = Date.parse('2026-03-01T04:00:00Z') + seq * 60_000
      const batch = emptyBatch()
      batch.births.push({ kioskId: 'k1', receivedAt: ts, payload: sampleBirth({ kioskId: 'k1', seq, ts, department }) })
      batch.health.push({ kioskId: 'k1', receivedAt: ts, payload: sampleHealth({ seq, ts, services: services(true) }) })
      await store.writeBatch(batch)
    }
    expect((await byDepartment(db)).map((r) => [r.department, r.snapshots])).toEqual([
      ['hrss', 1],
      ['tax', 1],
    ])
  })

  it('rolls up the health history stored before the upgrade', async () => {
    const before = mkdtempSync(join(tmpdir(), 'migrations-'))
    try {
      for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f < '030_')) {
        cpSync(join(MIGRATIONS_DIR, file), join(before, file))
      }
      db = await openPgliteDatabase(undefined)
      await migrate(db, logger, before)
      await db.query("INSERT INTO kiosks (id) VALUES ('k1')")
      for (const [seq, iso, available] of [
        [1, '2026-03-01T10:00:00Z', true],
        [2, '2026-03-01T20:00:00Z', false],
        [3, '2026-03-01T21:00:00Z', true],
      ] as const) {
        await db.query('INSERT INTO health_history (kiosk_id, seq, ts, body) VALUES ($1, $2, $3, $4::jsonb)', [
          'k1',
          seq,
          iso,
          JSON.stringify(sampleHealth({ seq, ts: Date.parse(iso), services: services(available) })),
        ])
      }
      expect(await migrate(db, logger)).toContain('030_service_availability.sql')
      expect(await rolledUp(db)).toEqual([
        { kiosk_id: 'k1', day: '2026-03-01', service_id: 'id-progress', snapshots: 1, available: 1 },
        { kiosk_id: 'k1', day: '2026-03-02', service_id: 'id-progress', snapshots: 2, available: 1 },
      ])
      expect(await byDepartment(db)).toEqual([
        { department: '', day: '2026-03-01', snapshots: 1, available: 1 },
        { department: '', day: '2026-03-02', snapshots: 2, available: 1 },
      ])
    } finally {
      rmSync(before, { recursive: true, force: true })
    }
  })

  it('is pruned after retention.serviceAvailabilityDays, whatever the health history keeps', async () => {
    db = await openPgliteDatabase(undefined)
    await migrate(db, logger)
    const now = Date.parse('2026-03-31T04:00:00Z') // 12:00 on 31 March at the sites
    const batch = emptyBatch()
    for (const [seq, ageDays] of [
      [1, 31],
      [2, 30],
      [3, 2],
    ] as const) {
      const ts = now - ageDays * 86_400_000
      batch.health.push({ kioskId: 'k1', receivedAt: ts, payload: sampleHealth({ seq, ts, services: services(true) }) })
    }
    await new IngestStore(db).writeBatch(batch)
    const pruned = await pruneHistory(
      db,
      { healthDays: 1, eventsDays: 180, serviceAvailabilityDays: 30 },
      new Date(now),
    )
    expect(pruned).toMatchObject({ health: 3, serviceAvailability: 2 }) // a kiosk row and a department row
    expect((await rolledUp(db)).map((r) => r.day)).toEqual(['2026-03-01', '2026-03-29'])
  })
})

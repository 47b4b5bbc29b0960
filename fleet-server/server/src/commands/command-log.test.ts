import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { CommandLog } from './command-log.ts'

let db: Database
beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, pino({ level: 'silent' }))
}, 60_000)
afterAll(async () => {
  await db?.close()
})

function counted(database: Database): { db: Database; statements: () => number } {
  let statements = 0
  const wrapped: Database = Object.create(database, {
    query: {
      value: (...args: Parameters<Database['query']>) => {
        statements += 1
        return database.query(...args)
      },
    },
  })
  return { db: wrapped, statements: () => statements }
}

describe('CommandLog', () => {
  it('writes the requests of one turn in one statement, and their outcomes after them', async () => {
    const { db: countingDb, statements } = counted(db)
    const log = new CommandLog(countingDb)
    const now = Date.now()
    const ids = Array.from({ length: 300 }, (_, i) => `txn-batch-${String(i).padStart(4, '0')}`)
    // Outcomes asked for in the same turn as their requests still land after them.
    await Promise.all([
      ...ids.map((transaction, i) =>
        log.recordSent({ transaction, kioskId: `k${i}`, command: 'update', requestedAt: now, expiresAt: now + 1000 }),
      ),
      ...ids.map((transaction) => log.recordResult({ transaction, status: 'ok', response: { outcome: 'accepted' } })),
    ])
    expect(statements()).toBe(2)
    const rows = await db.query<{ status: string; response: unknown; n: number }>(
      `SELECT status, response, count(*)::int AS n FROM commands WHERE transaction LIKE 'txn-batch-%'
       GROUP BY status, response`,
    )
    expect(rows).toEqual([{ status: 'ok', response: { outcome: 'accepted' }, n: 300 }])
  })

  it('fails only the caller whose row was refused; the rest of its batch is written', async () => {
    const log = new CommandLog(db)
    const now = Date.now()
    const row = { transaction: 'txn-dup-0001', kioskId: 'k1', command: 'ping', requestedAt: now, expiresAt: now + 1 }
    await log.recordSent(row)
    // The same transaction again violates the primary key; its batch-mate must not pay for it.
    const again = log.recordSent(row)
    const other = log.recordSent({ ...row, transaction: 'txn-dup-0002' })
    await expect(again).rejects.toThrow()
    await expect(other).resolves.toBeUndefined()
    await log.recordSent({ ...row, transaction: 'txn-dup-0003' })
    const [found] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM commands WHERE transaction LIKE 'txn-dup-%'`,
    )
    expect(found?.n).toBe(3)
  })
})

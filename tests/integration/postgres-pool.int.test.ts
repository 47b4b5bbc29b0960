import { openPostgresDatabase } from '@fleet/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'

describe('the fleet-server PostgreSQL pool', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('postgres')
  })
  afterAll(() => database.drop())

  it("sets every connection's schema and turns JIT compiling off, whichever connection answers", async () => {
    const db = await openPostgresDatabase({ url: database.config.url as string, schema: database.config.schema })
    try {
      // More concurrent queries than one connection serves: several of the pool's connections answer.
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          db.query<{ jit: string; search_path: string; pid: number }>(
            "SELECT current_setting('jit') AS jit, current_setting('search_path') AS search_path, pg_backend_pid() AS pid, pg_sleep(0.05)",
          ),
        ),
      )
      const rows = answers.flat()
      expect(new Set(rows.map((r) => r.pid)).size).toBeGreaterThan(1)
      for (const r of rows) expect(r).toMatchObject({ jit: 'off', search_path: database.config.schema })
    } finally {
      await db.close()
    }
  })
})

import { PGlite } from '@electric-sql/pglite'
import type { Database, Queryable } from './database.ts'

/** Embedded PostgreSQL (PGlite, WASM) on disk, or in memory when `dataDir` is undefined. */
export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  const pg = dataDir === undefined ? new PGlite() : new PGlite(dataDir)
  await pg.waitReady
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await q.query<R>(sql, params)
      return result.rows
    },
    async exec(sql) {
      await q.exec(sql)
    },
  })
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  }
}

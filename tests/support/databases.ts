import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FleetConfig } from '@fleet/server'
import pg from 'pg'
import { inject } from 'vitest'

export type DatabaseKind = 'pglite' | 'postgres'
export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres']

export interface TestDatabase {
  kind: DatabaseKind
  config: FleetConfig['database']
  drop(): Promise<void>
}

/**
 * A fresh database for one test: a PGlite directory, or a schema of its own on the machine's
 * PostgreSQL (the `test` database), dropped afterwards.
 */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-'))
    return {
      kind,
      config: { pgliteDir: dir },
      async drop() {
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  return postgresSchema(inject('postgresUrl'))
}

/** A schema of its own on the PostgreSQL at `url`, dropped by `drop()` (also for benchmarks, outside vitest). */
export function postgresSchema(url: string): TestDatabase {
  const schema = `t_${randomBytes(6).toString('hex')}`
  return {
    kind: 'postgres',
    config: { url, schema, pgliteDir: '' },
    async drop() {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

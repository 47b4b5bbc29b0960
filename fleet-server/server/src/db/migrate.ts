import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import type { Database } from './database.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url))

/** Arbitrary constant: the advisory lock replicas take so only one migrates at a time. */
const MIGRATION_LOCK = 746_1001

/**
 * Applies `NNN_name.sql` files in order, each once, inside a transaction holding an advisory lock,
 * so several fleet-server replicas starting together migrate exactly once.
 */
export async function migrate(db: Database, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
  return db.transaction(async (tx) => {
    // Lock first: two replicas creating the table at once would collide in PostgreSQL's catalog.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    )
    const done = new Set(
      (await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    )
    const applied: string[] = []
    for (const file of files) {
      if (done.has(file)) continue
      await tx.exec(readFileSync(join(dir, file), 'utf8'))
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file])
      applied.push(file)
      logger.info({ migration: file }, 'migration applied')
    }
    return applied
  })
}

import { once } from 'node:events'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip, createGzip, type Gzip } from 'node:zlib'
import type { Database, Queryable } from '../db/database.ts'
import {
  dumpTables,
  insertRows,
  resetSequences,
  TABLES_NOT_BACKED_UP,
  tablesInDependencyOrder,
} from './database-dump.ts'

/**
 * A fleet backup (docs/operations.md "Backup and restore"): a directory with
 *   manifest.json           what is in it, the TUF metadata versions it holds
 *   database/<table>.jsonl.gz  each table's rows (one consistent snapshot)
 *   blobs/targets/…         the update blobs (content-addressed, copied after the snapshot)
 * Never in it: the TUF online keys file, the offline root keys, vendor keys, TLS keys, MQTT and
 * database passwords. They live with the operator (see the document) and are restored by hand.
 */
export interface BackupManifest {
  format: 'kiosk-fleet-backup'
  version: 1
  createdAt: string
  /** Migrations applied to the database backed up; a restore needs a server that has them all. */
  migrations: string[]
  /** Rows per table. */
  tables: Record<string, number>
  /** Version of each TUF role in the backup (root, targets, snapshot, timestamp, vendor-*). */
  tufVersions: Record<string, number>
  blobs: { files: number; bytes: number }
}

export const BACKUP_FORMAT = 'kiosk-fleet-backup'

export class BackupError extends Error {
  constructor(
    readonly code: 'ERR_FLEET_BACKUP_INVALID' | 'ERR_FLEET_RESTORE_NOT_EMPTY',
    message: string,
  ) {
    super(message)
    this.name = 'BackupError'
  }
}

async function finish(gzip: Gzip, out: WriteStream): Promise<void> {
  gzip.end()
  await once(out, 'finish')
}

/** Versions of the TUF roles in `tuf_metadata` (their current files, not the numbered history). */
export async function tufVersions(db: Queryable): Promise<Record<string, number>> {
  const rows = await db.query<{ name: string; body: string }>(
    "SELECT name, body FROM tuf_metadata WHERE name !~ '^[0-9]+\\.'",
  )
  const versions: Record<string, number> = {}
  for (const row of rows) {
    const version = (JSON.parse(row.body) as { signed?: { version?: unknown } }).signed?.version
    if (typeof version === 'number') versions[row.name.replace(/\.json$/, '')] = version
  }
  return versions
}

async function walk(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0
  let bytes = 0
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { files, bytes }
    throw err
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const sub = await walk(path)
      files += sub.files
      bytes += sub.bytes
    } else if (entry.isFile()) {
      files += 1
      bytes += (await stat(path)).size
    }
  }
  return { files, bytes }
}

/**
 * Writes a backup of a running fleet into `out` (a new or empty directory): the database in one
 * snapshot, then the update blobs. Blobs are written before the metadata that names them and never
 * changed, so every blob the snapshot's metadata lists is in the copy.
 */
export async function createBackup(options: {
  db: Database
  updatesDir: string
  out: string
}): Promise<BackupManifest> {
  const { db, out } = options
  await mkdir(join(out, 'database'), { recursive: true })
  if ((await readdir(out)).some((name) => name !== 'database')) {
    throw new BackupError('ERR_FLEET_BACKUP_INVALID', `${out} is not empty; back up into a new directory`)
  }
  let current: { gzip: Gzip; out: WriteStream } | undefined
  let migrations: string[] = []
  let versions: Record<string, number> = {}
  const tables = await dumpTables(db, {
    async onTable(table) {
      if (current !== undefined) await finish(current.gzip, current.out)
      const gzip = createGzip()
      const file = createWriteStream(join(out, 'database', `${table}.jsonl.gz`), { mode: 0o600 })
      gzip.pipe(file)
      current = { gzip, out: file }
    },
    async onRows(_table, rows) {
      const gzip = current?.gzip
      if (gzip !== undefined && !gzip.write(`${rows.join('\n')}\n`)) await once(gzip, 'drain')
    },
    async inSnapshot(tx) {
      migrations = (await tx.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map(
        (r) => r.version,
      )
      versions = await tufVersions(tx)
    },
  })
  if (current !== undefined) await finish(current.gzip, current.out)
  const targets = join(options.updatesDir, 'targets')
  const blobs = await walk(targets)
  if (blobs.files > 0) await cp(targets, join(out, 'blobs', 'targets'), { recursive: true })
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: 1,
    createdAt: new Date().toISOString(),
    migrations,
    tables,
    tufVersions: versions,
    blobs,
  }
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  return manifest
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest
  } catch (err) {
    throw new BackupError('ERR_FLEET_BACKUP_INVALID', `${dir}/manifest.json is missing or not JSON: ${String(err)}`)
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.version !== 1) {
    throw new BackupError('ERR_FLEET_BACKUP_INVALID', `${dir} is not a kiosk-fleet backup (format ${manifest.format})`)
  }
  return manifest
}

/**
 * The version every TUF role the server signs is raised to after a restore. Kiosks remember the
 * highest versions they saw, which may be newer than the backup; versions need only increase, so
 * the floor is the restore time in seconds since 1970 (far above any count of publications since
 * the last restore, at one version per publication) and at least one above anything in the backup.
 */
export function restoreVersionFloor(manifest: BackupManifest, now: number, atLeast = 0): number {
  const highest = Math.max(0, ...Object.values(manifest.tufVersions))
  return Math.max(highest + 1, Math.floor(now / 1000), atLeast)
}

/** Is there fleet data in this (migrated) database already? */
async function hasData(db: Queryable): Promise<string | undefined> {
  for (const table of await tablesInDependencyOrder(db)) {
    if (TABLES_NOT_BACKED_UP.has(table)) continue
    const [row] = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${table}") AS any`)
    if (row?.any === true) return table
  }
  return undefined
}

/**
 * Restores a backup into an empty, migrated database and update directory, in one transaction, and
 * records the TUF version floor: the fleet-server re-signs targets, snapshot and timestamp above it
 * on its next start (update-runtime.ts), so kiosks that saw newer metadata accept the repository.
 */
export async function restoreBackup(options: {
  db: Database
  updatesDir: string
  from: string
  now?: number
  /** Raise the floor further (an operator who knows kiosks saw higher versions). */
  versionFloor?: number
}): Promise<{ manifest: BackupManifest; versionFloor: number; rows: number }> {
  const { db, from } = options
  const manifest = await readManifest(from)
  const applied = new Set(
    (await db.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version),
  )
  const missing = manifest.migrations.filter((m) => !applied.has(m))
  if (missing.length > 0) {
    throw new BackupError(
      'ERR_FLEET_BACKUP_INVALID',
      `the backup comes from a newer fleet-server (migrations ${missing.join(', ')}); restore with that version`,
    )
  }
  const busy = await hasData(db)
  if (busy !== undefined) {
    throw new BackupError(
      'ERR_FLEET_RESTORE_NOT_EMPTY',
      `the database already holds fleet data (table ${busy}); restore into a new database`,
    )
  }
  const versionFloor = restoreVersionFloor(manifest, options.now ?? Date.now(), options.versionFloor)
  let rows = 0
  await db.transaction(async (tx) => {
    for (const table of await tablesInDependencyOrder(tx)) {
      if (manifest.tables[table] === undefined) continue
      const lines = createInterface({
        input: createReadStream(join(from, 'database', `${table}.jsonl.gz`)).pipe(createGunzip()),
        crlfDelay: Number.POSITIVE_INFINITY,
      })
      let page: string[] = []
      for await (const line of lines) {
        if (line === '') continue
        page.push(line)
        if (page.length >= 1000) {
          await insertRows(tx, table, page)
          rows += page.length
          page = []
        }
      }
      await insertRows(tx, table, page)
      rows += page.length
    }
    await resetSequences(tx)
    await tx.query('INSERT INTO tuf_restores (backup_created_at, version_floor) VALUES ($1, $2)', [
      manifest.createdAt,
      versionFloor,
    ])
  })
  if (manifest.blobs.files > 0) {
    await cp(join(from, 'blobs', 'targets'), join(options.updatesDir, 'targets'), {
      recursive: true,
      force: false,
    })
  }
  return { manifest, versionFloor, rows }
}

import type { Database, Queryable } from '../db/database.ts'

/**
 * A logical dump of the fleet's tables that PGlite and PostgreSQL both read and write (one SQL
 * dialect, no pg_dump version to match): each table's rows as JSON, read in one REPEATABLE READ
 * snapshot, restored into a freshly migrated database in foreign-key order.
 */

/** Not backed up: browser sessions (void after a restore), login throttling, migration bookkeeping. */
export const TABLES_NOT_BACKED_UP: ReadonlySet<string> = new Set([
  'sessions',
  'auth_throttle',
  'schema_migrations',
  'tuf_restores',
])

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** The schema's tables, parents before children (foreign keys), so inserting in this order never breaks one. */
export async function tablesInDependencyOrder(db: Queryable): Promise<string[]> {
  const tables = (
    await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  ).map((r) => r.name)
  const edges = await db.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  )
  const unqualified = (name: string) => name.replace(/^.*\./, '').replaceAll('"', '')
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]))
  for (const e of edges) {
    const child = unqualified(e.child)
    const parent = unqualified(e.parent)
    if (child !== parent) parents.get(child)?.add(parent)
  }
  const ordered: string[] = []
  const placed = new Set<string>()
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p)))
    if (ready.length === 0) throw new Error('foreign keys form a cycle; cannot order the tables')
    for (const t of ready) {
      ordered.push(t)
      placed.add(t)
    }
  }
  return ordered
}

/**
 * Streams every backed-up table in one consistent snapshot: `onTable` is called per table, then
 * `onRows` with pages of rows as JSON text. Returns the row count per table.
 */
export async function dumpTables(
  db: Database,
  sink: {
    onTable(table: string): Promise<void>
    onRows(table: string, rows: string[]): Promise<void>
    /** Runs last inside the snapshot (e.g. to read TUF versions consistent with the rows). */
    inSnapshot?(tx: Queryable): Promise<void>
  },
  pageSize = 2000,
): Promise<Record<string, number>> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    const counts: Record<string, number> = {}
    for (const table of await tablesInDependencyOrder(tx)) {
      if (TABLES_NOT_BACKED_UP.has(table)) continue
      await sink.onTable(table)
      const cursor = `dump_${table}`
      await tx.query(
        `DECLARE ${quote(cursor)} NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quote(table)} t`,
      )
      let count = 0
      for (;;) {
        const rows = await tx.query<{ j: string }>(`FETCH ${pageSize} FROM ${quote(cursor)}`)
        if (rows.length === 0) break
        count += rows.length
        await sink.onRows(
          table,
          rows.map((r) => r.j),
        )
        if (rows.length < pageSize) break
      }
      await tx.query(`CLOSE ${quote(cursor)}`)
      counts[table] = count
    }
    await sink.inSnapshot?.(tx)
    return counts
  })
}

/**
 * Inserts dumped rows into an existing (migrated) table: only the columns the dump has, so columns a
 * later migration added take their defaults. Run inside the restore's transaction.
 */
export async function insertRows(tx: Queryable, table: string, rows: string[]): Promise<void> {
  if (rows.length === 0) return
  const present = new Set<string>()
  for (const row of rows) for (const key of Object.keys(JSON.parse(row) as object)) present.add(key)
  const columns = (
    await tx.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  )
    .map((c) => c.name)
    .filter((c) => present.has(c))
  if (columns.length === 0) throw new Error(`the dump of ${table} has none of its columns`)
  const list = columns.map(quote).join(', ')
  await tx.query(
    `INSERT INTO ${quote(table)} (${list}) SELECT ${list} FROM json_populate_recordset(null::${quote(table)}, $1::json)`,
    [`[${rows.join(',')}]`],
  )
}

/** After inserting rows with their ids, moves each serial column's sequence past the largest id. */
export async function resetSequences(tx: Queryable): Promise<void> {
  const serials = await tx.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
  )
  for (const { table_name: table, column_name: column } of serials) {
    await tx.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max(${quote(column)}) FROM ${quote(table)}), 1))`,
      [table, column],
    )
  }
}

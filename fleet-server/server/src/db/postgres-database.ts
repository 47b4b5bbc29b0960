import pg from 'pg'
import type { Database, Queryable } from './database.ts'

const INT8_OID = 20

/**
 * PostgreSQL through a node-postgres pool. `schema` (created if missing) becomes the search_path,
 * which is how tests and several fleets share one server.
 */
export async function openPostgresDatabase(options: {
  url: string
  schema?: string | undefined
  max?: number
}): Promise<Database> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new TypeError(`database schema must be a lowercase identifier, got ${options.schema}`)
  }
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  }
  if (options.schema !== undefined) {
    const setup = new pg.Client({ connectionString: options.url })
    await setup.connect()
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`)
    } finally {
      await setup.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    // JIT compiling pays off for long analytical queries only; the fleet's are short and frequent, and
    // a fleet-wide page query was costed high enough to spend ~1 s compiling each time (docs/operations.md).
    options: ['-c jit=off', ...(options.schema === undefined ? [] : [`-c search_path=${options.schema}`])].join(' '),
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await q.query(sql, params)
      return result.rows as R[]
    },
    async exec(sql) {
      // Without parameters node-postgres uses the simple protocol: several statements are fine.
      await q.query(sql)
    },
  })
  const qualified = (channel: string) => `${options.schema ?? 'public'}_${channel}`
  return {
    kind: 'postgres',
    ...wrap(pool),
    async listen(channel, onPayload) {
      const name = qualified(channel)
      let closed = false
      let client: pg.Client | undefined
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: options.url })
        c.on('notification', (n) => {
          if (n.channel === name && n.payload !== undefined) onPayload(n.payload)
        })
        // A lost listening connection is opened again; what was notified meanwhile is missed (live view only).
        c.on('error', () => {
          if (!closed) retry()
        })
        await c.connect()
        await c.query(`LISTEN "${name}"`)
        client = c
      }
      const retry = (): void => {
        setTimeout(() => {
          if (!closed) connect().catch(retry)
        }, 1000).unref()
      }
      await connect()
      return async () => {
        closed = true
        await client?.end().catch(() => undefined)
      }
    },
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [qualified(channel), payload])
    },
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work(wrap(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

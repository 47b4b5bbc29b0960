import { createHash } from 'node:crypto'
import type { Database, Queryable } from '../db/database.ts'

export interface AuditEntry {
  actor: string
  role?: string | undefined
  ip?: string | undefined
  action: string
  target?: string | undefined
  outcome: 'ok' | 'denied' | 'failed' | 'error' | 'timeout'
  details?: Record<string, unknown>
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'role' | 'ip' | 'target'>> {
  seq: number
  ts: string
  role: string | null
  ip: string | null
  target: string | null
  prevHash: string
  hash: string
}

export type VerifyResult =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string }

/** A search of the audit log (`GET /api/audit`, the audit screen, the export). Absent fields match all. */
export interface AuditFilter {
  actor?: string | undefined
  /** An exact action, or a prefix ending in `*` (`user.*`). */
  action?: string | undefined
  target?: string | undefined
  outcome?: AuditEntry['outcome'] | undefined
  /** ISO time, inclusive. */
  since?: string | undefined
  /** ISO time, exclusive. */
  until?: string | undefined
  /** Free text, case-insensitive, in actor, action, target, address and details. */
  text?: string | undefined
  /** Only entries older than this sequence number (the older pages of `fleetctl audit`). */
  beforeSeq?: number | undefined
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** The SQL condition of a filter, its parameters numbered from `$1`. */
function whereOf(filter: AuditFilter): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value)
    parts.push(sql(`$${params.length}`))
  }
  if (filter.actor !== undefined) add((p) => `actor = ${p}`, filter.actor)
  if (filter.action?.endsWith('*')) add((p) => `action LIKE ${p}`, `${likeEscape(filter.action.slice(0, -1))}%`)
  else if (filter.action !== undefined) add((p) => `action = ${p}`, filter.action)
  if (filter.target !== undefined) add((p) => `target = ${p}`, filter.target)
  if (filter.outcome !== undefined) add((p) => `outcome = ${p}`, filter.outcome)
  if (filter.since !== undefined) add((p) => `ts >= ${p}::timestamptz`, filter.since)
  if (filter.until !== undefined) add((p) => `ts < ${p}::timestamptz`, filter.until)
  if (filter.beforeSeq !== undefined) add((p) => `seq < ${p}`, filter.beforeSeq)
  if (filter.text !== undefined && filter.text.trim() !== '') {
    add(
      (p) =>
        `(actor ILIKE ${p} OR action ILIKE ${p} OR coalesce(target, '') ILIKE ${p} OR coalesce(ip, '') ILIKE ${p} OR details::text ILIKE ${p})`,
      `%${likeEscape(filter.text.trim())}%`,
    )
  }
  return { sql: parts.length === 0 ? 'true' : parts.join(' AND '), params }
}

export const GENESIS_HASH = '0'.repeat(64)
const AUDIT_LOCK = 746_1002

/** JSON with sorted keys at every level: the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export function entryHash(prevHash: string, record: Omit<AuditRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(record)).digest('hex')
}

interface Row {
  seq: number
  ts: Date | string
  actor: string
  role: string | null
  ip: string | null
  action: string
  target: string | null
  outcome: AuditEntry['outcome']
  details: Record<string, unknown>
  prev_hash: string
  hash: string
}

const toRecord = (r: Row): AuditRecord => ({
  seq: r.seq,
  ts: new Date(r.ts).toISOString(),
  actor: r.actor,
  role: r.role,
  ip: r.ip,
  action: r.action,
  target: r.target,
  outcome: r.outcome,
  details: r.details,
  prevHash: r.prev_hash,
  hash: r.hash,
})

/**
 * Append-only, hash-chained audit log. Appends take an advisory lock so replicas extend one chain;
 * the table refuses UPDATE, DELETE and TRUNCATE (trigger); `verify` recomputes every link.
 */
export class AuditLog {
  constructor(private readonly db: Database) {}

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK])
      const [last] = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      )
      const body = {
        seq: (last?.seq ?? 0) + 1,
        ts: new Date().toISOString(),
        actor: entry.actor,
        role: entry.role ?? null,
        ip: entry.ip ?? null,
        action: entry.action,
        target: entry.target ?? null,
        outcome: entry.outcome,
        details: entry.details ?? {},
      }
      const prevHash = last?.hash ?? GENESIS_HASH
      const hash = entryHash(prevHash, body)
      await tx.query(
        `INSERT INTO audit_log (seq, ts, actor, role, ip, action, target, outcome, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
        [
          body.seq,
          body.ts,
          body.actor,
          body.role,
          body.ip,
          body.action,
          body.target,
          body.outcome,
          JSON.stringify(body.details),
          prevHash,
          hash,
        ],
      )
      return { ...body, prevHash, hash }
    })
  }

  async list(options: AuditFilter & { limit: number }): Promise<AuditRecord[]> {
    return (await this.search(options, { limit: options.limit, offset: 0, total: false })).entries
  }

  /** One page of matching entries, newest first, with how many match in all (`total`, unless asked not to count). */
  async search(
    filter: AuditFilter,
    page: { limit: number; offset: number; total?: boolean },
  ): Promise<{ entries: AuditRecord[]; total: number }> {
    const where = whereOf(filter)
    const n = where.params.length
    const rows = await this.db.query<Row>(
      `SELECT * FROM audit_log WHERE ${where.sql} ORDER BY seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, page.limit, page.offset],
    )
    if (page.total === false) return { entries: rows.map(toRecord), total: rows.length }
    const [count] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE ${where.sql}`,
      where.params,
    )
    return { entries: rows.map(toRecord), total: count?.n ?? 0 }
  }

  /** Every record matching `filter` (all by default), oldest first, in pages (for export and verification). */
  async *all(db: Queryable = this.db, pageSize = 1000, filter: AuditFilter = {}): AsyncGenerator<AuditRecord> {
    const where = whereOf(filter)
    const n = where.params.length
    let after = 0
    for (;;) {
      const rows = await db.query<Row>(
        `SELECT * FROM audit_log WHERE ${where.sql} AND seq > $${n + 1} ORDER BY seq LIMIT $${n + 2}`,
        [...where.params, after, pageSize],
      )
      for (const row of rows) yield toRecord(row)
      if (rows.length < pageSize) return
      after = rows.at(-1)?.seq ?? after
    }
  }

  /** Recomputes the chain: a changed field, a removed or inserted row, or reordering is found. */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH
    let expectedSeq = 1
    let entries = 0
    for await (const record of this.all()) {
      const { hash, prevHash: storedPrev, ...body } = record
      if (record.seq !== expectedSeq)
        return { ok: false, entries, brokenAt: record.seq, reason: `expected seq ${expectedSeq}` }
      if (storedPrev !== prevHash)
        return { ok: false, entries, brokenAt: record.seq, reason: 'previous hash does not match' }
      if (entryHash(prevHash, body) !== hash)
        return { ok: false, entries, brokenAt: record.seq, reason: 'content does not match its hash' }
      prevHash = hash
      expectedSeq += 1
      entries += 1
    }
    return { ok: true, entries }
  }
}

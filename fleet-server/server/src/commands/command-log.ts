import type { Database } from '../db/database.ts'

export interface SentCommand {
  transaction: string
  kioskId: string
  command: string
  requestedAt: number
  expiresAt: number
  /** The command to a site or list this one is part of. */
  batchId?: string | undefined
  /** The user who sent it. */
  requestedBy?: string | undefined
}

export interface CommandResult {
  transaction: string
  status: string
  response: unknown
}

interface Pending<T> {
  row: T
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * The `commands` table, written in batches: every call issued in the same turn of the event loop
 * shares one multi-row statement. A rollout notifying thousands of kiosks then costs a few
 * statements instead of two round trips per kiosk; a single dashboard command is written at once.
 */
export class CommandLog {
  readonly #db: Database
  #sent: Pending<SentCommand>[] = []
  #results: Pending<CommandResult>[] = []
  #scheduled = false
  /** Flushes run one after another, so an outcome is never written before its request. */
  #flushing: Promise<void> = Promise.resolve()

  constructor(db: Database) {
    this.#db = db
  }

  /** Resolves once the request is recorded (before it is published). */
  recordSent(row: SentCommand): Promise<void> {
    return this.#enqueue(this.#sent, row)
  }

  /** Resolves once the outcome is recorded (after its request's row, whatever the order of calls). */
  recordResult(row: CommandResult): Promise<void> {
    return this.#enqueue(this.#results, row)
  }

  #enqueue<T>(queue: Pending<T>[], row: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      queue.push({ row, resolve, reject })
      if (this.#scheduled) return
      this.#scheduled = true
      setImmediate(() => {
        this.#flushing = this.#flushing.then(() => this.#flush())
      })
    })
  }

  async #flush(): Promise<void> {
    this.#scheduled = false
    const sent = this.#sent
    const results = this.#results
    this.#sent = []
    this.#results = []
    // Inserts first: a result in the same turn may belong to a request of this batch.
    await settle(sent, (rows) => this.#insert(rows))
    await settle(results, (rows) => this.#update(rows))
  }

  async #insert(rows: SentCommand[]): Promise<void> {
    if (rows.length === 0) return
    await this.#db.query(
      `INSERT INTO commands (transaction, kiosk_id, command, requested_at, expires_at, status, sent_at, batch_id,
                             requested_by)
       SELECT t, k, c, r, e, 'sent', r, b, u
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])
         AS u(t, k, c, r, e, b, u)`,
      [
        rows.map((r) => r.transaction),
        rows.map((r) => r.kioskId),
        rows.map((r) => r.command),
        rows.map((r) => new Date(r.requestedAt).toISOString()),
        rows.map((r) => new Date(r.expiresAt).toISOString()),
        rows.map((r) => r.batchId ?? null),
        rows.map((r) => r.requestedBy ?? null),
      ],
    )
  }

  async #update(rows: CommandResult[]): Promise<void> {
    if (rows.length === 0) return
    await this.#db.query(
      `UPDATE commands AS c SET status = u.s, response = u.r::jsonb, responded_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, s, r)
       WHERE c.transaction = u.t`,
      [rows.map((r) => r.transaction), rows.map((r) => r.status), rows.map((r) => JSON.stringify(r.response ?? null))],
    )
  }
}

/** Writes a batch; when it fails, each row alone, so one bad row fails only its own caller. */
async function settle<T>(batch: Pending<T>[], write: (rows: T[]) => Promise<void>): Promise<void> {
  if (batch.length === 0) return
  try {
    await write(batch.map((p) => p.row))
    for (const p of batch) p.resolve()
  } catch (err) {
    if (batch.length === 1) return (batch[0] as Pending<T>).reject(err)
    for (const p of batch) await settle([p], write)
  }
}

import { randomBytes } from 'node:crypto'
import type { CommandName } from '@kiosk-fleet/protocol'
import type { CommandRecordView } from '@kiosk-fleet/protocol/http'
import type { Logger } from 'pino'
import type { Database, Queryable } from '../db/database.ts'

/** Transactions of queued commands start with this, so a response to one is recognised without a query. */
export const QUEUED_PREFIX = 'q_'

export function queuedTransaction(): string {
  return `${QUEUED_PREFIX}${randomBytes(12).toString('base64url')}`
}

export interface QueuedCommand {
  transaction: string
  kioskId: string
  command: CommandName
  params: Record<string, unknown>
  requestedAt: number
  /** Past this the command is marked `expired` if still queued; the kiosk never runs it later either. */
  expiresAt: number
  batchId?: string | undefined
  requestedBy?: string | undefined
}

/** Publishes a claimed command's request (CommandSender.publishRequest satisfies it). */
export type PublishRequest = (row: QueuedCommand) => Promise<void>

export interface CommandQueueOptions {
  db: Database
  publish: PublishRequest
  logger: Logger
  /** How long a handed-over command may go unanswered before it is marked `timeout`. */
  answerTimeoutMs: number
  /** How often `sweep` runs once started. */
  sweepMs: number
}

const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null

interface ClaimedRow {
  transaction: string
  kiosk_id: string
  command: string
  params: Record<string, unknown> | null
  requested_at: unknown
  expires_at: unknown
}

/**
 * Commands for kiosks that are offline, kept in `commands` (status `queued`) until the kiosk returns.
 * All state is in the database: a kiosk's birth, on whichever replica ingests it, claims the kiosk's
 * queued rows with one `UPDATE … WHERE status = 'queued'`, so under any number of replicas each
 * command is handed over exactly once. The answer reaches every replica (responses are not shared);
 * each records it with the same guarded update, so the first wins and the rest change nothing.
 */
export class CommandQueue {
  readonly #o: CommandQueueOptions
  #timer: ReturnType<typeof setInterval> | undefined
  #sweeping: Promise<unknown> = Promise.resolve()

  constructor(options: CommandQueueOptions) {
    this.#o = options
  }

  /** Records commands as queued (one statement for a whole batch). */
  async enqueue(rows: QueuedCommand[], tx: Queryable = this.#o.db): Promise<void> {
    if (rows.length === 0) return
    await tx.query(
      `INSERT INTO commands (transaction, kiosk_id, command, params, requested_at, expires_at, status, queued,
                             batch_id, requested_by)
       SELECT t, k, c, p::jsonb, r, e, 'queued', true, b, u
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                   $7::text[], $8::text[]) AS x(t, k, c, p, r, e, b, u)`,
      [
        rows.map((r) => r.transaction),
        rows.map((r) => r.kioskId),
        rows.map((r) => r.command),
        rows.map((r) => JSON.stringify(r.params)),
        rows.map((r) => new Date(r.requestedAt).toISOString()),
        rows.map((r) => new Date(r.expiresAt).toISOString()),
        rows.map((r) => r.batchId ?? null),
        rows.map((r) => r.requestedBy ?? null),
      ],
    )
  }

  /**
   * Kiosks that returned (their births, once committed): claims their unexpired queued commands and
   * sends them, oldest first. Returns how many were handed over.
   */
  async kiosksReturned(kioskIds: string[]): Promise<number> {
    if (kioskIds.length === 0) return 0
    const claimed = await this.#o.db.query<ClaimedRow>(
      `UPDATE commands SET status = 'sent', sent_at = now()
       WHERE status = 'queued' AND kiosk_id = ANY($1::text[]) AND expires_at > now()
       RETURNING transaction, kiosk_id, command, params, requested_at, expires_at`,
      [kioskIds],
    )
    return this.#handOver(claimed)
  }

  async #handOver(claimed: ClaimedRow[]): Promise<number> {
    const rows = claimed
      .map((r) => ({
        transaction: r.transaction,
        kioskId: r.kiosk_id,
        command: r.command as CommandName,
        params: r.params ?? {},
        requestedAt: Date.parse(iso(r.requested_at) ?? ''),
        expiresAt: Date.parse(iso(r.expires_at) ?? ''),
      }))
      .sort((a, b) => a.requestedAt - b.requestedAt)
    for (const row of rows) {
      try {
        await this.#o.publish(row)
        this.#o.logger.info(
          { kioskId: row.kioskId, command: row.command, transaction: row.transaction },
          'queued command sent',
        )
      } catch (err) {
        // Claimed but not published: back to the queue for the next birth or sweep.
        this.#o.logger.warn({ err, kioskId: row.kioskId, transaction: row.transaction }, 'queued command not sent')
        await this.#o.db.query(
          `UPDATE commands SET status = 'queued', sent_at = NULL WHERE transaction = $1 AND status = 'sent'`,
          [row.transaction],
        )
      }
    }
    return rows.length
  }

  /**
   * CommandSender's `onUnwaitedResponse`: records the answer when it belongs to a queued command
   * (recognised by its transaction's prefix, so other replicas' answers cost no query).
   */
  onResponse(kioskId: string, outcome: { transaction: string; status: string; data?: unknown; error?: unknown }) {
    if (!outcome.transaction.startsWith(QUEUED_PREFIX)) return
    const ok = outcome.status === 'ok'
    void this.recordAnswer(kioskId, outcome.transaction, ok ? 'ok' : 'error', ok ? outcome.data : outcome.error).catch(
      (err: unknown) => this.#o.logger.warn({ err, kioskId }, 'answer to a queued command not recorded'),
    )
  }

  /** A kiosk's answer to a queued command (any replica may record it; the first one counts). */
  async recordAnswer(
    kioskId: string,
    transaction: string,
    status: 'ok' | 'error',
    response: unknown,
  ): Promise<boolean> {
    const rows = await this.#o.db.query(
      `UPDATE commands SET status = $3, response = $4::jsonb, responded_at = now()
       WHERE transaction = $1 AND kiosk_id = $2 AND queued AND status IN ('sent', 'timeout')
       RETURNING transaction`,
      [transaction, kioskId, status, JSON.stringify(response ?? null)],
    )
    return rows.length > 0
  }

  /**
   * Marks queued commands past their expiry `expired` and handed-over ones unanswered for too long
   * `timeout`; hands over the queued commands of kiosks online now (a kiosk that returned between the
   * API's look at its state and the queueing, or whose birth's replica crashed before handing over).
   */
  async sweep(): Promise<{ expired: number; timedOut: number; sent: number }> {
    const expired = await this.#o.db.query(
      `UPDATE commands SET status = 'expired', responded_at = now()
       WHERE status = 'queued' AND expires_at <= now() RETURNING transaction`,
    )
    const timedOut = await this.#o.db.query(
      `UPDATE commands SET status = 'timeout', responded_at = now()
       WHERE queued AND status = 'sent' AND sent_at < now() - make_interval(secs => $1::double precision / 1000)
       RETURNING transaction`,
      [this.#o.answerTimeoutMs],
    )
    const claimed = await this.#o.db.query<ClaimedRow>(
      `UPDATE commands c SET status = 'sent', sent_at = now()
       FROM kiosks k
       WHERE c.status = 'queued' AND c.expires_at > now() AND k.id = c.kiosk_id AND k.state = 'online'
       RETURNING c.transaction, c.kiosk_id, c.command, c.params, c.requested_at, c.expires_at`,
    )
    const sent = await this.#handOver(claimed)
    if (expired.length > 0) this.#o.logger.info({ count: expired.length }, 'queued commands expired')
    return { expired: expired.length, timedOut: timedOut.length, sent }
  }

  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => {
      this.#sweeping = this.sweep().catch((err: unknown) => this.#o.logger.warn({ err }, 'command queue sweep failed'))
    }, this.#o.sweepMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#sweeping
  }

  /** A kiosk's command log, newest first. */
  async history(kioskId: string, limit: number): Promise<CommandRecordView[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `SELECT transaction, command, status, queued, batch_id, requested_by, requested_at, expires_at, sent_at,
              responded_at, response
       FROM commands WHERE kiosk_id = $1 ORDER BY requested_at DESC, transaction LIMIT $2`,
      [kioskId, limit],
    )
    return rows.map((r) => ({
      transaction: r.transaction as string,
      command: r.command as string,
      status: r.status as string,
      queued: r.queued === true,
      batch: (r.batch_id as string | null) ?? null,
      requestedBy: (r.requested_by as string | null) ?? null,
      requestedAt: iso(r.requested_at) ?? '',
      expiresAt: iso(r.expires_at) ?? '',
      sentAt: iso(r.sent_at),
      respondedAt: iso(r.responded_at),
      response: r.response ?? null,
    }))
  }
}

import { type Codecs, type ParsedTopic, parseTopic } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { AckQueue, type AckTicket } from './ack-queue.ts'
import type { HandlerContext, InvalidReason } from './handlers/message-handler.ts'
import { batchSize, emptyBatch, type IngestBatch } from './ingest-batch.ts'
import type { IngestStore, WriteResult } from './ingest-store.ts'
import { handleMessage, isStoredKind } from './message-handlers.ts'
import { type MissingRun, SeqGapTracker } from './seq-gaps.ts'
import { isMessageFault } from './store-failure.ts'
import type { SeqArrival } from './stream-ledger.ts'

export interface IngestorOptions {
  store: Pick<IngestStore, 'writeBatch'>
  codecs: Codecs
  logger: Logger
  maxBatch: number
  maxDelayMs: number
  /** Above this many queued messages, `waitForRoom()` holds the MQTT client (backpressure). */
  maxQueue: number
  /** First wait before retrying a batch while the database is unreachable (doubles up to 5 s). */
  retryDelayMs?: number
  /**
   * Where sequence gaps are found. `here` (default): this process sees every kiosk's whole stream
   * and tracks it in memory. `ledger`: ingest is split across replicas, each seeing part of every
   * stream, so each batch adds its numbers to the database's ledger (ingest/stream-ledger.ts) and
   * `MissingMessageCheck` finds the holes; `reportMissing` takes what it counted.
   */
  gaps?: 'here' | 'ledger'
  /** How long a skipped sequence number may arrive late (other topics overtake it) before it counts missing. */
  gapGraceMs?: number
  onWritten?: (result: WriteResult) => void
  /** Runs of a kiosk's sequence numbers found missing (after the grace period): record and alert. */
  onMissing?: (runs: MissingRun[]) => void
  now?: () => number
}

export interface IngestStats {
  received: number
  written: number
  duplicates: number
  invalid: { [R in InvalidReason]: number }
  /** Messages the database refused for their content (rejected and counted, then acknowledged). */
  failed: number
  batches: number
  queued: number
  /** Runs of a kiosk's sequence numbers that never arrived (each counted once, after the grace period). */
  seqGaps: number
  /** Messages in those runs. */
  missingMessages: number
  /** Batch attempts that failed because the database was unreachable (the messages were held). */
  storeRetries: number
  /** Messages acknowledged to the broker (committed, duplicate, or deliberately refused). */
  acknowledged: number
  /** Sum over committed messages of the time from receipt to commit (ms): lag = this / written+duplicates. */
  commitLagMs: number
}

/** How a message reaches the ingestor: its topic and bytes, and how to acknowledge it. */
export interface IncomingMessage {
  topic: string
  payload: Uint8Array
  /** Replayed by the broker on subscribe: old by nature, so no sequence-gap tracking. */
  retained?: boolean
  /** Called once the message is committed (or deliberately refused), in arrival order. */
  ack?: () => void
}

const MAX_RETRY_DELAY_MS = 5000

/**
 * Validates every message on receipt (one handler per kind, message-handlers.ts) and writes them in
 * batches (every `maxDelayMs` or `maxBatch` messages, whichever comes first). A message is
 * acknowledged only once its batch is committed, or once it is refused and counted: a crash loses
 * nothing that was acknowledged. A batch the database refuses is retried message by message so a
 * poison message loses only itself; while the database is unreachable the batch is retried with
 * backoff and nothing is acknowledged, so the broker holds the rest (backpressure).
 */
export class Ingestor {
  readonly #o: IngestorOptions
  readonly #log: Logger
  readonly #now: () => number
  readonly #acks = new AckQueue()
  #batch: IngestBatch = emptyBatch()
  /** Numbers of this batch's messages, for the ledger (`gaps: 'ledger'` only). */
  #arrivals: SeqArrival[] = []
  #tickets: AckTicket[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> = Promise.resolve()
  #inFlight = 0
  readonly #gaps: SeqGapTracker
  #retained = false
  readonly #roomWaiters: (() => void)[] = []
  readonly stats: IngestStats = {
    received: 0,
    written: 0,
    duplicates: 0,
    invalid: { topic: 0, notJson: 0, schema: 0, tooLarge: 0, mismatch: 0 },
    failed: 0,
    batches: 0,
    queued: 0,
    seqGaps: 0,
    missingMessages: 0,
    storeRetries: 0,
    acknowledged: 0,
    commitLagMs: 0,
  }
  readonly #context: HandlerContext

  constructor(options: IngestorOptions) {
    this.#o = options
    this.#log = options.logger
    this.#now = options.now ?? Date.now
    this.#gaps = new SeqGapTracker(options.gapGraceMs ?? 30_000, this.#now)
    const self = this
    this.#context = {
      codecs: options.codecs,
      receivedAt: 0,
      get batch() {
        return self.#batch
      },
      trackSeq: (kioskId, seq) => this.#trackSeq(kioskId, seq),
    }
  }

  /**
   * Accepts one MQTT message. Returns the parsed topic when the message was valid, for routing
   * (command responses are not stored: they are acknowledged once every earlier message is).
   * A plain `(topic, payload, retained)` call is for tests and tools that need no acknowledgement.
   */
  accept(message: IncomingMessage): ParsedTopic | undefined
  accept(topic: string, payload: Uint8Array, retained?: boolean): ParsedTopic | undefined
  accept(first: IncomingMessage | string, payload?: Uint8Array, retained = false): ParsedTopic | undefined {
    const m: IncomingMessage =
      typeof first === 'string' ? { topic: first, payload: payload as Uint8Array, retained } : first
    const ticket = this.#acks.enqueue(
      m.ack === undefined
        ? () => this.#acknowledged()
        : () => {
            this.#acknowledged()
            m.ack?.()
          },
    )
    this.#retained = m.retained ?? false
    this.stats.received += 1
    const parsed = parseTopic(m.topic)
    if (parsed === undefined) return this.#invalid(ticket, 'topic', m.topic, ['not a topic of the v1 contract'])
    let text: string
    try {
      text = utf8.decode(m.payload)
    } catch {
      return this.#invalid(ticket, 'notJson', m.topic, ['payload is not UTF-8'])
    }
    if (!isStoredKind(parsed.kind)) {
      this.#acks.settle([ticket])
      return parsed
    }
    this.#context.receivedAt = this.#now()
    const outcome = handleMessage(parsed as Extract<ParsedTopic, { kind: typeof parsed.kind }>, text, this.#context)
    if (!outcome.ok) return this.#invalid(ticket, outcome.reason, m.topic, outcome.errors)
    this.#tickets.push(ticket)
    this.#scheduleFlush()
    return parsed
  }

  /** Messages accepted and not yet committed. */
  get queued(): number {
    return batchSize(this.#batch) + this.#inFlight
  }

  /** Acknowledgements not yet released (waiting for a commit, or behind one). */
  get unacknowledged(): number {
    return this.#acks.pending
  }

  /** Resolves at once unless too much is queued; then when the next flush made room. */
  waitForRoom(): Promise<void> {
    if (this.queued < this.#o.maxQueue) return Promise.resolve()
    return new Promise((resolve) => this.#roomWaiters.push(resolve))
  }

  /** Writes everything accepted so far; resolves when it is committed. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#countMissing(this.#gaps.expired())
    const batch = this.#batch
    if (batchSize(batch) === 0) return this.#flushing
    const tickets = this.#tickets
    const arrivals = this.#arrivals
    this.#batch = emptyBatch()
    this.#arrivals = []
    this.#tickets = []
    const size = batchSize(batch)
    this.#inFlight += size
    const previous = this.#flushing
    this.#flushing = previous.then(() => this.#write(batch, arrivals, tickets, size))
    return this.#flushing
  }

  async #write(batch: IngestBatch, arrivals: SeqArrival[], tickets: AckTicket[], size: number): Promise<void> {
    try {
      await this.#untilStored(batch, arrivals, size)
    } finally {
      this.#inFlight -= size
      this.stats.queued = this.queued
      this.#acks.settle(tickets)
      if (this.queued < this.#o.maxQueue) for (const wake of this.#roomWaiters.splice(0)) wake()
    }
  }

  /** Commits the batch, or every message of it that the database accepts; retries outages forever. */
  async #untilStored(batch: IngestBatch, arrivals: SeqArrival[], size: number): Promise<void> {
    const store = this.#o.store
    const whole = await this.#retryingOutages(size, async () => {
      this.#written(await store.writeBatch(batch, arrivals), size, batch)
    })
    if (whole === undefined) return
    this.#log.warn({ size }, 'batch refused, retrying message by message')
    for (const single of splitBatch(batch)) {
      const refused = await this.#retryingOutages(1, async () => {
        this.#written(await store.writeBatch(single), 1, single)
      })
      if (refused !== undefined) {
        this.stats.failed += 1
        this.#log.error({ err: refused, kioskId: firstKiosk(single) }, 'message refused by the database, rejected')
      }
    }
    // The numbers arrived, whether or not the database took their messages: no hole for them.
    if (arrivals.length === 0) return
    const refused = await this.#retryingOutages(0, async () => {
      await store.writeBatch(emptyBatch(), arrivals)
    })
    if (refused !== undefined) this.#log.error({ err: refused }, 'sequence numbers refused by the database, not noted')
  }

  /**
   * Runs `write` until it succeeds (undefined) or the database refuses it for its content (that
   * error); while the database is unreachable it waits with backoff, holding `size` messages.
   */
  async #retryingOutages(size: number, write: () => Promise<void>): Promise<unknown> {
    let delay = this.#o.retryDelayMs ?? 200
    for (;;) {
      try {
        await write()
        return undefined
      } catch (err) {
        if (isMessageFault(err)) return err
        delay = await this.#backoff(err, size, delay)
      }
    }
  }

  async #backoff(err: unknown, size: number, delay: number): Promise<number> {
    this.stats.storeRetries += 1
    this.#log.warn({ err, size, retryInMs: delay }, 'database unavailable, holding the batch unacknowledged')
    await new Promise((resolve) => setTimeout(resolve, delay))
    return Math.min(delay * 2, MAX_RETRY_DELAY_MS)
  }

  #written(result: WriteResult, size: number, batch: IngestBatch): void {
    const now = this.#now()
    for (const list of Object.values(batch) as { receivedAt: number }[][])
      for (const item of list) this.stats.commitLagMs += Math.max(0, now - item.receivedAt)
    this.stats.batches += 1
    this.stats.written += size - result.duplicates
    this.stats.duplicates += result.duplicates
    this.#o.onWritten?.(result)
  }

  #acknowledged(): void {
    this.stats.acknowledged += 1
  }

  #scheduleFlush(): void {
    if (batchSize(this.#batch) >= this.#o.maxBatch) {
      void this.flush()
      return
    }
    this.#timer ??= setTimeout(() => void this.flush(), this.#o.maxDelayMs)
  }

  /**
   * Sequence gaps: a message the kiosk numbered but that never arrived (an agent that lost its
   * outbox, or a broker that dropped). Tracked here, or noted in the batch for the ledger.
   */
  #trackSeq(kioskId: string, seq: number): void {
    if (this.#o.gaps === 'ledger') this.#arrivals.push({ kioskId, seq, retained: this.#retained })
    else this.#countMissing(this.#gaps.seen(kioskId, seq, this.#retained))
  }

  #countMissing(runs: MissingRun[]): void {
    if (runs.length > 0) this.#o.onMissing?.(runs)
    this.reportMissing(runs)
  }

  /** Counts and logs runs found missing (already recorded on their kiosks, e.g. by the ledger's check). */
  reportMissing(runs: readonly MissingRun[]): void {
    for (const run of runs) {
      const count = run.to - run.from + 1
      this.stats.seqGaps += 1
      this.stats.missingMessages += count
      this.#log.warn({ kioskId: run.kioskId, from: run.from, to: run.to, count }, 'sequence gap: messages missing')
    }
  }

  #invalid(ticket: AckTicket, reason: InvalidReason, topic: string, errors: string[]): undefined {
    this.stats.invalid[reason] += 1
    this.#log.warn({ topic, reason, errors: errors.slice(0, 3) }, 'invalid message dropped')
    this.#acks.settle([ticket])
    return undefined
  }
}

function splitBatch(batch: IngestBatch): IngestBatch[] {
  const out: IngestBatch[] = []
  for (const key of Object.keys(batch) as (keyof IngestBatch)[]) {
    for (const item of batch[key]) {
      const single = emptyBatch()
      ;(single[key] as unknown[]).push(item)
      out.push(single)
    }
  }
  return out
}

function firstKiosk(batch: IngestBatch): string | undefined {
  return [batch.births, batch.states, batch.health, batch.deviceStatuses, batch.events].flat()[0]?.kioskId
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

import { type Codecs, type ParsedTopic, parseTopic } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { batchSize, emptyBatch, type IngestBatch } from './ingest-batch.ts'
import type { IngestStore, WriteResult } from './ingest-store.ts'

export interface IngestorOptions {
  store: Pick<IngestStore, 'writeBatch'>
  codecs: Codecs
  logger: Logger
  maxBatch: number
  maxDelayMs: number
  /** Above this many queued messages, `waitForRoom()` holds the MQTT client (backpressure). */
  maxQueue: number
  onWritten?: (result: WriteResult) => void
  now?: () => number
}

export interface IngestStats {
  received: number
  written: number
  duplicates: number
  invalid: { topic: number; notJson: number; schema: number; tooLarge: number; mismatch: number }
  failed: number
  batches: number
  queued: number
  seqGaps: number
}

/**
 * Validates every message on receipt and writes them in batches (every `maxDelayMs` or `maxBatch`
 * messages, whichever comes first). A bad payload is counted and logged and never stops ingest; a
 * batch the database refuses is retried message by message so one poison message loses only itself.
 */
export class Ingestor {
  readonly #o: IngestorOptions
  readonly #log: Logger
  readonly #now: () => number
  #batch: IngestBatch = emptyBatch()
  #timer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> = Promise.resolve()
  #inFlight = 0
  readonly #lastSeq = new Map<string, number>()
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
  }

  constructor(options: IngestorOptions) {
    this.#o = options
    this.#log = options.logger
    this.#now = options.now ?? Date.now
  }

  /**
   * Accepts one MQTT message. Returns the parsed topic when the message was valid, for routing.
   * `retained` messages (replayed by the broker on subscribe) are old by nature: no gap tracking.
   */
  accept(topic: string, payload: Uint8Array, retained = false): ParsedTopic | undefined {
    this.#retained = retained
    this.stats.received += 1
    const parsed = parseTopic(topic)
    if (parsed === undefined) return this.#invalid('topic', topic, ['not a topic of the v1 contract'])
    const receivedAt = this.#now()
    const { codecs } = this.#o
    let text: string
    try {
      text = utf8.decode(payload)
    } catch {
      return this.#invalid('notJson', topic, ['payload is not UTF-8'])
    }
    const b = this.#batch
    switch (parsed.kind) {
      case 'birth': {
        const r = codecs.birth.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        if (r.value.kioskId !== parsed.kioskId) return this.#invalid('mismatch', topic, ['kioskId differs from topic'])
        this.#trackSeq(parsed.kioskId, r.value.seq)
        b.births.push({ kioskId: parsed.kioskId, payload: r.value, receivedAt })
        break
      }
      case 'state': {
        const r = codecs.state.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        b.states.push({ kioskId: parsed.kioskId, payload: r.value, receivedAt })
        break
      }
      case 'health': {
        const r = codecs.health.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        this.#trackSeq(parsed.kioskId, r.value.seq)
        b.health.push({ kioskId: parsed.kioskId, payload: r.value, receivedAt, raw: text })
        break
      }
      case 'device': {
        const r = codecs.deviceStatus.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        if (r.value.deviceId !== parsed.deviceId)
          return this.#invalid('mismatch', topic, ['deviceId differs from topic'])
        this.#trackSeq(parsed.kioskId, r.value.seq)
        b.deviceStatuses.push({ kioskId: parsed.kioskId, payload: r.value, receivedAt })
        break
      }
      case 'event': {
        if (parsed.eventType !== 'device-status') return this.#invalid('topic', topic, ['unknown event type'])
        const r = codecs.deviceStatusEvent.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        this.#trackSeq(parsed.kioskId, r.value.seq)
        b.events.push({ kioskId: parsed.kioskId, type: parsed.eventType, payload: r.value, receivedAt })
        break
      }
      case 'deployment': {
        const r = codecs.deploymentStatus.decode(text)
        if (!r.ok) return this.#invalid(r.reason, topic, r.errors)
        this.#trackSeq(parsed.kioskId, r.value.seq)
        b.events.push({ kioskId: parsed.kioskId, type: 'deployment', payload: r.value, receivedAt })
        break
      }
      case 'response':
        // Command responses are routed by the caller; they are not part of the batch.
        return parsed
      case 'request':
        return parsed
    }
    this.#scheduleFlush()
    return parsed
  }

  get queued(): number {
    return batchSize(this.#batch) + this.#inFlight
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
    const batch = this.#batch
    if (batchSize(batch) === 0) return this.#flushing
    this.#batch = emptyBatch()
    const size = batchSize(batch)
    this.#inFlight += size
    const previous = this.#flushing
    this.#flushing = previous.then(() => this.#write(batch, size))
    return this.#flushing
  }

  async #write(batch: IngestBatch, size: number): Promise<void> {
    try {
      const result = await this.#o.store.writeBatch(batch)
      this.#written(result, size)
    } catch (err) {
      this.#log.warn({ err, size }, 'batch refused, retrying message by message')
      for (const single of splitBatch(batch)) {
        try {
          this.#written(await this.#o.store.writeBatch(single), 1)
        } catch (singleErr) {
          this.stats.failed += 1
          this.#log.error({ err: singleErr, kioskId: firstKiosk(single) }, 'message could not be stored, dropped')
        }
      }
    } finally {
      this.#inFlight -= size
      this.stats.queued = this.queued
      if (this.queued < this.#o.maxQueue) for (const wake of this.#roomWaiters.splice(0)) wake()
    }
  }

  #written(result: WriteResult, size: number): void {
    this.stats.batches += 1
    this.stats.written += size - result.duplicates
    this.stats.duplicates += result.duplicates
    this.#o.onWritten?.(result)
  }

  #scheduleFlush(): void {
    if (batchSize(this.#batch) >= this.#o.maxBatch) {
      void this.flush()
      return
    }
    this.#timer ??= setTimeout(() => void this.flush(), this.#o.maxDelayMs)
  }

  /**
   * Sequence gaps, as this process saw them. With `$share` ingest each replica sees only part of a
   * kiosk's stream, so gap detection is meaningful only on a single ingest replica.
   */
  #trackSeq(kioskId: string, seq: number): void {
    if (this.#retained) return
    const last = this.#lastSeq.get(kioskId)
    if (last !== undefined && seq > last + 1) {
      this.stats.seqGaps += 1
      this.#log.warn({ kioskId, expected: last + 1, got: seq }, 'sequence gap')
    }
    if (last === undefined || seq > last) this.#lastSeq.set(kioskId, seq)
  }

  #invalid(reason: keyof IngestStats['invalid'], topic: string, errors: string[]): undefined {
    this.stats.invalid[reason] += 1
    this.#log.warn({ topic, reason, errors: errors.slice(0, 3) }, 'invalid message dropped')
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

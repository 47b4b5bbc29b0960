import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { writeFileAtomic } from '../fs/atomic-write.ts'

export interface OutboxRecord {
  seq: number
  topic: string
  payload: string
  retain: boolean
  ts: number
}

export interface OutboxOptions {
  dir: string
  logger: Logger
  /** Oldest records are dropped (and counted) past this many pending records. */
  maxPending?: number
  /** Rewrite the log once it holds this many bytes of acknowledged records. */
  compactAfterBytes?: number
}

interface Meta {
  version: 1
  ackedSeq: number
  nextSeq: number
}

/**
 * The kiosk's on-disk outbox: every message with a sequence number is appended (and fdatasync'ed)
 * here before it is published, and leaves only when the broker acknowledged it (PUBACK).
 *
 * Files: `outbox.log` (JSON lines, append-only) and `outbox.meta.json` (acked sequence and next
 * sequence, replaced atomically). A crash may lose the last ack, never a message: records acked but
 * not yet recorded are sent again and the server ingests idempotently on (kioskId, seq). A torn last
 * line (power cut mid-append) is discarded with a warning. The sequence number only grows, across
 * restarts and compactions.
 */
export class Outbox {
  readonly #logPath: string
  readonly #metaPath: string
  readonly #log: Logger
  readonly #maxPending: number
  readonly #compactAfterBytes: number
  #pending: OutboxRecord[] = []
  #ackedSeq = 0
  #nextSeq = 1
  #dropped = 0
  #fd: number
  #logBytes = 0
  #metaTimer: ReturnType<typeof setTimeout> | undefined

  constructor(options: OutboxOptions) {
    mkdirSync(options.dir, { recursive: true })
    this.#logPath = join(options.dir, 'outbox.log')
    this.#metaPath = join(options.dir, 'outbox.meta.json')
    this.#log = options.logger
    this.#maxPending = options.maxPending ?? 50_000
    this.#compactAfterBytes = options.compactAfterBytes ?? 1024 * 1024
    this.#recover()
    this.#fd = openSync(this.#logPath, 'a')
  }

  get pendingCount(): number {
    return this.#pending.length
  }

  get droppedCount(): number {
    return this.#dropped
  }

  get oldestPendingTs(): number | undefined {
    return this.#pending[0]?.ts
  }

  /** The sequence number the next append will get. */
  get nextSeq(): number {
    return this.#nextSeq
  }

  /** Assigns the next sequence number, lets `build` make the message with it, and persists it. */
  append(build: (seq: number) => { topic: string; payload: string; retain: boolean }): OutboxRecord {
    const seq = this.#nextSeq
    const record: OutboxRecord = { seq, ts: Date.now(), ...build(seq) }
    const line = `${JSON.stringify(record)}\n`
    writeSync(this.#fd, line)
    fdatasyncSync(this.#fd)
    this.#logBytes += Buffer.byteLength(line)
    this.#nextSeq = seq + 1
    this.#pending.push(record)
    if (this.#pending.length > this.#maxPending) {
      const dropped = this.#pending.shift()
      this.#dropped += 1
      if (dropped) this.#advanceAcked()
      this.#log.warn({ dropped: this.#dropped, maxPending: this.#maxPending }, 'outbox full, oldest record dropped')
    }
    return record
  }

  /** Records still waiting for an acknowledgement, oldest first. */
  pending(): readonly OutboxRecord[] {
    return this.#pending
  }

  /**
   * Marks a record as acknowledged by the broker. Acks may come out of order; the persisted
   * `ackedSeq` is the highest sequence below which everything is acknowledged. It is written at
   * most every 200 ms (a crash re-sends at most that much, which the server deduplicates).
   */
  ack(seq: number): void {
    if (!this.#ack(seq)) return
    if (this.#logBytes >= this.#compactAfterBytes) this.#compact()
    else this.#metaTimer ??= setTimeout(() => this.#persistMeta(), 200)
  }

  close(): void {
    this.#persistMeta()
    closeSync(this.#fd)
  }

  #ack(seq: number): boolean {
    const index = this.#pending[0]?.seq === seq ? 0 : this.#pending.findIndex((r) => r.seq === seq)
    if (index < 0) return false
    this.#pending.splice(index, 1)
    this.#advanceAcked()
    return true
  }

  /** Everything below the lowest pending record is acknowledged (or dropped). */
  #advanceAcked(): void {
    const lowestPending = this.#pending[0]?.seq ?? this.#nextSeq
    this.#ackedSeq = Math.max(this.#ackedSeq, lowestPending - 1)
  }

  #persistMeta(): void {
    clearTimeout(this.#metaTimer)
    this.#metaTimer = undefined
    const meta: Meta = { version: 1, ackedSeq: this.#ackedSeq, nextSeq: this.#nextSeq }
    writeFileAtomic(this.#metaPath, JSON.stringify(meta))
  }

  /** Rewrites the log with only the pending records; meta first so nextSeq survives an empty log. */
  #compact(): void {
    this.#persistMeta()
    const text = this.#pending.map((r) => `${JSON.stringify(r)}\n`).join('')
    closeSync(this.#fd)
    writeFileAtomic(this.#logPath, text)
    this.#fd = openSync(this.#logPath, 'a')
    this.#logBytes = Buffer.byteLength(text)
  }

  #recover(): void {
    if (existsSync(this.#metaPath)) {
      try {
        const meta = JSON.parse(readFileSync(this.#metaPath, 'utf8')) as Partial<Meta>
        if (typeof meta.ackedSeq === 'number' && typeof meta.nextSeq === 'number') {
          this.#ackedSeq = meta.ackedSeq
          this.#nextSeq = meta.nextSeq
        }
      } catch (err) {
        this.#log.warn({ err, path: this.#metaPath }, 'outbox meta unreadable, recovering from the log alone')
      }
    }
    if (!existsSync(this.#logPath)) return
    this.#logBytes = statSync(this.#logPath).size
    const lines = readFileSync(this.#logPath, 'utf8').split('\n')
    let torn = 0
    for (const line of lines) {
      if (line === '') continue
      let record: OutboxRecord
      try {
        record = JSON.parse(line) as OutboxRecord
      } catch {
        torn += 1
        continue
      }
      if (typeof record.seq !== 'number' || typeof record.topic !== 'string' || typeof record.payload !== 'string') {
        torn += 1
        continue
      }
      this.#nextSeq = Math.max(this.#nextSeq, record.seq + 1)
      if (record.seq > this.#ackedSeq) this.#pending.push(record)
    }
    if (torn > 0) this.#log.warn({ torn, path: this.#logPath }, 'outbox log had unreadable lines, discarded them')
    this.#pending.sort((a, b) => a.seq - b.seq)
    this.#log.info({ pending: this.#pending.length, nextSeq: this.#nextSeq }, 'outbox recovered')
  }
}

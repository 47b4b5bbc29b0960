import { randomBytes } from 'node:crypto'
import {
  type Codecs,
  type CommandName,
  type CommandParams,
  Commands,
  isCommandName,
  PayloadCodec,
  topics,
} from '@kiosk-fleet/protocol'
import type { TSchema } from '@sinclair/typebox'
import type { Logger } from 'pino'
import type { Database } from '../db/database.ts'
import { CommandLog } from './command-log.ts'

export interface CommandOutcome {
  transaction: string
  status: 'ok' | 'error' | 'timeout'
  data?: unknown
  error?: { code: string; message: string }
}

export interface CommandSenderOptions {
  publish: (topic: string, payload: string) => Promise<void>
  codecs: Codecs
  db: Database
  logger: Logger
  /**
   * A valid response no request of this process waits for: another replica's, or a queued command's
   * (command-queue.ts records those, whichever replica sent them).
   */
  onUnwaitedResponse?: (kioskId: string, command: CommandName, response: CommandOutcome) => void
  /**
   * Sees each awaited outcome before it is recorded and answered, and may replace it (a screenshot's
   * picture goes to its own expiring store, not the command log).
   */
  keep?: (
    kioskId: string,
    command: CommandName,
    outcome: CommandOutcome,
    requestedBy?: string,
  ) => Promise<CommandOutcome>
}

interface Waiting {
  kioskId: string
  command: CommandName
  resolve: (outcome: CommandOutcome) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * Sends a request to a kiosk and waits for the response with the same transaction. The expiry
 * travels in the payload (the kiosk never runs a stale command); every command is recorded.
 */
export class CommandSender {
  readonly #o: CommandSenderOptions
  readonly #waiting = new Map<string, Waiting>()
  readonly #log: CommandLog

  constructor(options: CommandSenderOptions) {
    this.#o = options
    this.#log = new CommandLog(options.db)
  }

  readonly #paramCodecs = new Map<CommandName, PayloadCodec<TSchema>>()

  /** Checks a command's params against its schema; returns the problems, empty when valid. */
  checkParams(command: CommandName, params: unknown): string[] {
    let codec = this.#paramCodecs.get(command)
    if (codec === undefined) {
      codec = new PayloadCodec<TSchema>(Commands[command].params)
      this.#paramCodecs.set(command, codec)
    }
    const result = codec.check(params)
    return result.ok ? [] : result.errors
  }

  /**
   * Sends a request (params already checked with `checkParams`) and waits for the answer. Every
   * command is recorded in `commands`, except where the caller keeps its own record (`record: false`:
   * a rollout's notifications live in `rollout_kiosks`, and thousands of them must not queue behind
   * ingest for the database).
   */
  async send<C extends CommandName>(
    kioskId: string,
    command: C,
    params: CommandParams<C>,
    options: {
      ttlMs: number
      timeoutMs: number
      record?: boolean
      batchId?: string | undefined
      requestedBy?: string | undefined
    },
  ): Promise<CommandOutcome> {
    const transaction = randomBytes(12).toString('base64url')
    const issuedAt = Date.now()
    const expiresAt = issuedAt + options.ttlMs
    const codec = this.#o.codecs.requests[command] as unknown as PayloadCodec<TSchema>
    const payload = codec.encode({ transaction, issuedAt, expiresAt, params })
    const record = options.record ?? true
    if (record) {
      await this.#log.recordSent({
        transaction,
        kioskId,
        command,
        requestedAt: issuedAt,
        expiresAt,
        batchId: options.batchId,
        requestedBy: options.requestedBy,
      })
    }
    const outcome = new Promise<CommandOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(transaction)
        resolve({ transaction, status: 'timeout' })
      }, options.timeoutMs)
      this.#waiting.set(transaction, { kioskId, command, resolve, timer })
    })
    await this.#o.publish(topics.request(kioskId, command), payload)
    const answered = await outcome
    const result = this.#o.keep ? await this.#o.keep(kioskId, command, answered, options.requestedBy) : answered
    if (record) {
      await this.#log.recordResult({
        transaction,
        status: result.status,
        response: result.data ?? result.error ?? null,
      })
    }
    return result
  }

  /**
   * Publishes a request whose transaction and expiry were fixed earlier (a queued command handed over
   * on the kiosk's return); its answer comes through `onUnwaitedResponse`.
   */
  async publishRequest(row: {
    transaction: string
    kioskId: string
    command: CommandName
    params: unknown
    expiresAt: number
  }): Promise<void> {
    const codec = this.#o.codecs.requests[row.command] as unknown as PayloadCodec<TSchema>
    const payload = codec.encode({
      transaction: row.transaction,
      issuedAt: Date.now(),
      expiresAt: row.expiresAt,
      params: row.params,
    })
    await this.#o.publish(topics.request(row.kioskId, row.command), payload)
  }

  /** Fire-and-forget request (e.g. `rebirth` for a kiosk seen without a birth). */
  async notify(kioskId: string, command: 'rebirth', ttlMs = 60_000): Promise<void> {
    const transaction = randomBytes(12).toString('base64url')
    const issuedAt = Date.now()
    const payload = this.#o.codecs.requests[command].encode({
      transaction,
      issuedAt,
      expiresAt: issuedAt + ttlMs,
      params: {},
    })
    await this.#o.publish(topics.request(kioskId, command), payload)
  }

  /** Routes a `res/{command}` message to whoever waits for it; unknown transactions are ignored. */
  handleResponse(kioskId: string, command: string, payload: Uint8Array): void {
    if (!isCommandName(command)) return
    const decoded = this.#o.codecs.responses[command].decode(payload)
    if (!decoded.ok) {
      this.#o.logger.warn({ kioskId, command, errors: decoded.errors }, 'invalid command response dropped')
      return
    }
    const response = decoded.value
    const outcome: CommandOutcome =
      response.status === 'ok'
        ? { transaction: response.transaction, status: 'ok', data: response.data }
        : { transaction: response.transaction, status: 'error', error: response.error }
    const entry = this.#waiting.get(response.transaction)
    if (entry === undefined || entry.kioskId !== kioskId || entry.command !== command) {
      this.#o.onUnwaitedResponse?.(kioskId, command, outcome)
      return
    }
    clearTimeout(entry.timer)
    this.#waiting.delete(response.transaction)
    entry.resolve(outcome)
  }

  cancelAll(): void {
    for (const [transaction, w] of this.#waiting) {
      clearTimeout(w.timer)
      w.resolve({ transaction, status: 'timeout' })
    }
    this.#waiting.clear()
  }
}

import { isAppError } from '@drivers/core'
import {
  type Codecs,
  type CommandData,
  type CommandName,
  type CommandParams,
  isCommandName,
  type ParsedTopic,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { KioskErrorCodes } from '../errors.ts'
import { clockSkewOf, humanDuration } from './clock-skew.ts'

export type CommandHandlers = { [C in CommandName]: (params: CommandParams<C>) => Promise<CommandData<C>> }

export interface CommandResponseOut {
  command: string
  payload: string
}

export interface CommandDispatcherOptions {
  codecs: Codecs
  handlers: CommandHandlers
  logger: Logger
  now?: () => number
  /** How long the MQTT connection has been up (monotonic), to tell a wrong clock from a stale request. */
  linkAgeMs?: () => number | undefined
}

/**
 * Executes fleet requests: validates, refuses expired ones (never executes them), runs each
 * transaction once (a QoS 1 redelivery gets the cached answer), and always answers with
 * `{status:'ok', data}` or `{status:'error', error:{code, message}}`.
 */
export class CommandDispatcher {
  readonly #codecs: Codecs
  readonly #handlers: CommandHandlers
  readonly #log: Logger
  readonly #now: () => number
  readonly #linkAgeMs: () => number | undefined
  readonly #recent = new Map<string, string>()
  #invalid = 0

  constructor(options: CommandDispatcherOptions) {
    this.#codecs = options.codecs
    this.#handlers = options.handlers
    this.#log = options.logger
    this.#now = options.now ?? Date.now
    this.#linkAgeMs = options.linkAgeMs ?? (() => undefined)
  }

  get invalidCount(): number {
    return this.#invalid
  }

  /** Returns the response to publish, or undefined when the request cannot be answered at all. */
  async dispatch(
    topic: ParsedTopic & { kind: 'request' },
    payload: Uint8Array,
  ): Promise<CommandResponseOut | undefined> {
    const { command } = topic
    if (!isCommandName(command)) {
      return this.#reject(command, payload, KioskErrorCodes.unknownCommand, `unknown command ${command}`)
    }
    const decoded = this.#codecs.requests[command].decode(payload)
    if (!decoded.ok) {
      return this.#reject(command, payload, KioskErrorCodes.badRequest, decoded.errors.join('; '))
    }
    const { transaction, expiresAt, issuedAt } = decoded.value
    const cached = this.#recent.get(transaction)
    if (cached !== undefined) {
      this.#log.debug({ command, transaction }, 'duplicate request answered from cache')
      return { command, payload: cached }
    }
    const now = this.#now()
    const skew = clockSkewOf({ now, issuedAt, linkAgeMs: this.#linkAgeMs() })
    if (now > expiresAt && skew !== undefined && skew > 0) {
      // Not a stale request: this kiosk's clock runs ahead, so every request would look expired.
      this.#log.error({ command, transaction, skewMs: skew }, 'kiosk clock ahead of the fleet')
      return this.#remember(
        command,
        transaction,
        this.#error(
          transaction,
          KioskErrorCodes.clockSkew,
          `the kiosk's clock is at least ${humanDuration(skew)} ahead of the fleet's: fix its time (NTP); the request was not executed`,
        ),
      )
    }
    if (skew !== undefined && skew < 0) {
      this.#log.warn({ command, transaction, skewMs: skew }, 'kiosk clock behind the fleet')
    }
    if (now > expiresAt) {
      this.#log.warn({ command, transaction, lateMs: now - expiresAt }, 'expired request not executed')
      return this.#remember(
        command,
        transaction,
        this.#error(transaction, KioskErrorCodes.commandExpired, 'request expired before it arrived'),
      )
    }
    try {
      const handler = this.#handlers[command] as (params: unknown) => Promise<unknown>
      const data = await handler(decoded.value.params)
      const response = this.#codecs.responses[command].encode({
        transaction,
        ts: this.#now(),
        status: 'ok',
        data,
      } as never)
      this.#log.info({ command, transaction }, 'command executed')
      return this.#remember(command, transaction, response)
    } catch (err) {
      this.#log.error({ err, command, transaction }, 'command failed')
      const code = isAppError(err) ? err.code : KioskErrorCodes.commandFailed
      const message = err instanceof Error ? err.message : String(err)
      return this.#remember(command, transaction, this.#error(transaction, code, message))
    }
  }

  #reject(command: string, payload: Uint8Array, code: string, message: string): CommandResponseOut | undefined {
    this.#invalid += 1
    const transaction = extractTransaction(payload)
    this.#log.warn({ command, code, reason: message.slice(0, 300), transaction }, 'invalid request')
    if (transaction === undefined) return undefined
    return { command, payload: this.#error(transaction, code, message) }
  }

  #error(transaction: string, code: string, message: string): string {
    return JSON.stringify({
      transaction,
      ts: this.#now(),
      status: 'error',
      error: { code, message: message.slice(0, 500) },
    })
  }

  #remember(command: string, transaction: string, payload: string): CommandResponseOut {
    // A redelivered read (a screenshot) is answered afresh rather than holding its image in memory.
    if (payload.length > REMEMBER_MAX_CHARS) return { command, payload }
    this.#recent.set(transaction, payload)
    if (this.#recent.size > 256) {
      const oldest = this.#recent.keys().next().value
      if (oldest !== undefined) this.#recent.delete(oldest)
    }
    return { command, payload }
  }
}

/** Answers longer than this are not cached for redeliveries (256 of them would hold 64 MB). */
const REMEMBER_MAX_CHARS = 16 * 1024

function extractTransaction(payload: Uint8Array): string | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(payload)) as { transaction?: unknown }
    return typeof value.transaction === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(value.transaction)
      ? value.transaction
      : undefined
  } catch {
    return undefined
  }
}

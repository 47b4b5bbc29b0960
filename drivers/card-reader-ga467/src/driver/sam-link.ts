import { FrameWaiter, fail, type Result, type Transport } from '@drivers/core'
import type { Logger } from 'pino'
import {
  decodeResponse,
  encodeCommand,
  FrameDecoder,
  type SamCommand,
  type SamResponse,
  toHex,
} from '../codec/index.ts'
import type { ReaderHealth } from './health.ts'

/**
 * One open connection to a SAM: writes command frames, decodes reply frames, matches the one reply
 * to the one request in flight (the caller serialises), and turns silence into a `timeout` result.
 * Only headers are ever logged (`AA AA AA 96 69 Len SW…`), never data bytes: they hold card contents.
 */
export class SamLink {
  readonly #transport: Transport
  readonly #log: Logger
  readonly #health: ReaderHealth
  readonly #decoder = new FrameDecoder()
  readonly #waiter = new FrameWaiter<Uint8Array>()
  readonly #unsubscribe: (() => void)[] = []
  #corruptReply = false

  constructor(transport: Transport, log: Logger, health: ReaderHealth, onDisconnect: (cause: Error) => void) {
    this.#transport = transport
    this.#log = log
    this.#health = health
    this.#unsubscribe.push(
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onDisconnect((cause) => {
        this.#waiter.cancelAll('reader disconnected')
        onDisconnect(cause)
      }),
    )
  }

  get isOpen(): boolean {
    return this.#transport.isOpen
  }

  async open(): Promise<void> {
    await this.#transport.open()
  }

  async close(): Promise<void> {
    for (const off of this.#unsubscribe) off()
    this.#waiter.cancelAll('reader closed')
    await this.#transport.close()
  }

  async exchange(command: SamCommand, timeoutMs: number): Promise<Result<SamResponse>> {
    if (!this.#transport.isOpen) return fail('deviceNotReady', 'reader is not connected')
    const frame = encodeCommand(command)
    this.#corruptReply = false
    const reply = this.#waiter.expect(() => true, timeoutMs)
    this.#log.trace({ dir: 'out', cmd: command.type, hex: toHex(frame) }, 'frame')
    try {
      await this.#transport.write(frame)
      this.#health.add('bytesSent', frame.length)
    } catch (err) {
      this.#waiter.cancelAll('write failed')
      await reply
      this.#log.warn({ err, cmd: command.type }, 'write failed')
      return fail('deviceNotReady', `cannot write to the reader: ${(err as Error).message}`)
    }
    const result = await reply
    if (!result.ok) {
      if (this.#corruptReply) {
        this.#corruptReply = false
        return fail('invalidData', 'the reply failed its checksum')
      }
      if (result.error.code === 'timeout') {
        this.#health.add('timeouts')
        const stale = this.#decoder.reset()
        if (stale.length > 0) this.#discard(stale.length, 'stale')
        this.#log.warn({ cmd: command.type, timeoutMs, partial: stale.length }, 'no reply')
      }
      return result
    }
    return decodeResponse(result.value, command.type)
  }

  #onData(chunk: Uint8Array): void {
    this.#health.add('bytesReceived', chunk.length)
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.#discard(event.bytes.length, event.reason)
        if (event.reason === 'checksum') {
          this.#health.add('checksumErrors')
          // The reply to the request in flight is lost: fail it now rather than at its timeout.
          if (this.#waiter.pending > 0) {
            this.#corruptReply = true
            this.#waiter.cancelAll('the reply failed its checksum')
          }
        }
        continue
      }
      const header = event.body.subarray(0, 3)
      this.#log.trace({ dir: 'in', len: event.body.length + 1, sw: toHex(header) }, 'frame')
      if (!this.#waiter.push(event.body)) this.#log.warn({ len: event.body.length }, 'unexpected frame')
    }
  }

  #discard(count: number, reason: string): void {
    this.#health.add('discardedBytes', count)
    this.#log.warn({ reason, count }, 'discarded bytes')
  }
}

import { type DeviceUpdateFailureDetail, fail, ok, type Result } from '@drivers/core'
import { encodePrinterInfo, PrinterInfo, REPLY_PRINTER_INFO, type ReplyBlock } from '../codec/user-settings.ts'
import type { FirmwareTimings } from './options.ts'
import { latin1, type PrinterConnection } from './printer-connection.ts'

type UpdateResult<T> = Result<T, DeviceUpdateFailureDetail>

export const isInfoBlock = (block: ReplyBlock): boolean => block.header === REPLY_PRINTER_INFO

/** What the model takes, from the registry definition's `update`; absent = everything the driver can do. */
export type ModelUpdateSupport = { configSchema?: Record<string, unknown>; firmware?: boolean } | undefined

/**
 * The firmware version the printer reports (GS I 0x41), the wait for a printer that restarts after a
 * settings session or a flash, and the rules for when an update may start. Shared by the settings
 * and firmware concerns.
 */
export class FirmwareVersion {
  readonly #connection: PrinterConnection
  readonly #timings: Required<FirmwareTimings>
  readonly #description: string
  readonly #update: ModelUpdateSupport
  #firmware: string | undefined

  constructor(options: {
    connection: PrinterConnection
    timings: Required<FirmwareTimings>
    description: string
    update: ModelUpdateSupport
  }) {
    this.#connection = options.connection
    this.#timings = options.timings
    this.#description = options.description
    this.#update = options.update
  }

  /** The version last read, undefined before the first read. */
  get cached(): string | undefined {
    return this.#firmware
  }

  /** GS I 0x41. Answered between jobs; during an update the cached version is returned. */
  async read(): Promise<UpdateResult<string>> {
    const connection = this.#connection
    if (!connection.opened) return fail('deviceNotReady', `${this.#description} is not open`, 'notOpen')
    if (connection.updating && this.#firmware !== undefined) return ok(this.#firmware)
    const reply = await connection.ask(
      encodePrinterInfo(PrinterInfo.firmware),
      isInfoBlock,
      this.#timings.replyTimeoutMs,
    )
    if (!reply.ok) return fail(reply.error.code, `GS I 0x41: ${reply.error.message}`, 'noResponse')
    this.#firmware = latin1(reply.value.data)
    return ok(this.#firmware)
  }

  /**
   * Polls GS I 0x41 until the restarted printer answers, within restartTimeoutMs. A USB printer
   * may re-enumerate while it restarts: the connection's reconnect reopens the port meanwhile.
   */
  async waitForRestart(): Promise<UpdateResult<string>> {
    const connection = this.#connection
    const deadline = Date.now() + this.#timings.restartTimeoutMs
    connection.resetDecoder()
    for (;;) {
      if (!connection.opened) return fail('deviceNotReady', 'the printer was closed while it restarted', 'notOpen')
      if (connection.transport.isOpen) {
        const reply = await connection.ask(
          encodePrinterInfo(PrinterInfo.firmware),
          isInfoBlock,
          this.#timings.restartPollMs,
        )
        if (reply.ok) {
          this.#firmware = latin1(reply.value.data)
          return ok(this.#firmware)
        }
      } else await new Promise((resolve) => setTimeout(resolve, this.#timings.restartPollMs))
      if (Date.now() >= deadline) {
        return fail(
          'timeout',
          `the printer did not come back within ${this.#timings.restartTimeoutMs} ms`,
          'notRestarted',
        )
      }
    }
  }

  /** Why an update of this kind cannot start now (closed, busy, or the model does not take it). */
  refuse(kind: 'config' | 'firmware'): UpdateResult<never> | undefined {
    const connection = this.#connection
    if (!connection.opened) return fail('deviceNotReady', `${this.#description} is not open`, 'notOpen')
    if (connection.updating || connection.pendingJobs > 0) {
      return fail('deviceNotReady', 'the printer is busy (printing or updating)', 'busy')
    }
    if (kind === 'firmware' && this.#update !== undefined && this.#update.firmware !== true) {
      return fail('unsupported', 'this model takes no firmware updates', 'refused')
    }
    if (kind === 'config' && this.#update !== undefined && this.#update.configSchema === undefined) {
      return fail('unsupported', 'this model takes no configuration', 'refused')
    }
    return undefined
  }
}

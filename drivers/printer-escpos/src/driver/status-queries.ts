import { AppError, type DeviceStatus, fail, ok, type PrinterFailureDetail, type Result } from '@drivers/core'
import { ASB_ALL, DLE_EOT, decodeRealtimeStatus, type EscPosProfile, GS_ASB } from '../codec/index.ts'
import { PrinterErrorCodes } from '../errors.ts'
import type { PrinterConnection } from './printer-connection.ts'

export interface StatusQueriesOptions {
  connection: PrinterConnection
  profile: EscPosProfile
  /** How long one DLE EOT reply may take, ms. */
  statusTimeoutMs: number
  description: string
}

/**
 * The printer's status: DLE EOT 1–4 real-time queries, and Automatic Status Back switched on
 * whenever the link comes up (the connection calls `initialise` after open, reconnect and updates).
 */
export class StatusQueries {
  readonly #o: StatusQueriesOptions

  constructor(options: StatusQueriesOptions) {
    this.#o = options
  }

  /** Asks DLE EOT 1–4 in turn; one query in flight at a time because replies carry no tag. */
  refresh(): Promise<Result<DeviceStatus, PrinterFailureDetail>> {
    const connection = this.#o.connection
    if (!connection.opened) throw new AppError(PrinterErrorCodes.notOpen, `${this.#o.description} is not open`)
    return connection.withStatusLock(async () => {
      // never put status queries into a firmware transfer or a settings session
      if (!this.#o.profile.realtimeStatus || connection.updating) return ok(connection.status.status)
      const bits = { ...connection.bits }
      for (const n of [1, 2, 3, 4] as const) {
        const reply = connection.realtime.expect((f) => f.type === 'realtime', this.#o.statusTimeoutMs)
        const sent = await connection.send(Uint8Array.of(...DLE_EOT, n))
        if (!sent) connection.realtime.cancelAll('transport closed')
        const result = await reply
        if (!result.ok) {
          if (result.error.code === 'timeout') {
            connection.health.statusTimeouts++
            connection.status.set({ state: 'offline', errorCode: 'noResponse' })
          }
          return fail(result.error.code, `DLE EOT ${n}: ${result.error.message}`, 'noResponse')
        }
        if (result.value.type === 'realtime') Object.assign(bits, decodeRealtimeStatus(n, result.value.byte))
      }
      connection.applyBits(bits)
      return ok(connection.status.status)
    })
  }

  /** After open, a reconnect or a printer reset: ASB on (when the model has it), then a fresh status. */
  async initialise(): Promise<void> {
    const connection = this.#o.connection
    connection.resetDecoder()
    if (this.#o.profile.automaticStatusBack) await connection.send(Uint8Array.of(...GS_ASB, ASB_ALL & 0x0e))
    const result = await this.refresh()
    if (!result.ok) connection.log.warn({ code: result.error.code }, 'no status after open')
  }
}

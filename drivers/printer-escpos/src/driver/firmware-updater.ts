import { type DeviceUpdateFailureDetail, type FirmwareUpdateOptions, fail, ok, type Result } from '@drivers/core'
import type { Logger } from 'pino'
import { REPLY_USER_SETTING, type ReplyBlock } from '../codec/user-settings.ts'
import { GS_ENTER_BOOTLOADER, REPLY_ID_BOOTLOADER, REPLY_ID_REFUSED } from '../firmware/bootloader.ts'
import { readFirmwareHeader } from '../firmware/image.ts'
import type { FirmwareVersion } from './firmware-version.ts'
import type { FirmwareTimings } from './options.ts'
import { latin1, type PrinterConnection } from './printer-connection.ts'
import { runXmodemTransfer, type TransferFailure } from './xmodem-transfer.ts'

type UpdateResult<T> = Result<T, DeviceUpdateFailureDetail>

export interface FirmwareUpdaterOptions {
  connection: PrinterConnection
  version: FirmwareVersion
  timings: Required<FirmwareTimings>
}

/**
 * Flashes a KFW1 image (firmware/image.ts) with our emulated vendors' bootloader convention
 * (firmware/bootloader.ts): enter the bootloader, XMODEM-1K/CRC, wait for the restart, and check
 * the version GS I 0x41 reports afterwards. The printer itself checks model and sha256.
 */
export class FirmwareUpdater {
  readonly #o: FirmwareUpdaterOptions

  constructor(options: FirmwareUpdaterOptions) {
    this.#o = options
  }

  async update(image: Uint8Array, options: FirmwareUpdateOptions = {}): Promise<UpdateResult<{ firmware: string }>> {
    const { connection, version, timings } = this.#o
    const refused = version.refuse('firmware')
    if (refused) return refused
    const header = readFirmwareHeader(image)
    if (!header.ok) return fail('invalidData', `not a firmware image: ${header.problem}`, 'badImage')
    if (image.length < header.header.totalLength) return fail('invalidData', 'firmware image is truncated', 'badImage')
    if (options.signal?.aborted) return fail('canceled', 'firmware update aborted before it began', 'aborted')
    return connection.exclusive('firmware', async (log) => {
      const before = await version.read()
      if (!before.ok) return before
      log.info({ from: before.value, to: header.header.version, bytes: image.length }, 'firmware update start')
      connection.lastRefusal = undefined
      const early: number[] = []
      let route: (byte: number) => void = (byte) => early.push(byte)
      const isReady = (b: ReplyBlock) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_BOOTLOADER
      const ready = connection.replies.expect(isReady, timings.replyTimeoutMs)
      connection.routeAfterBlock((block) => (isReady(block) ? (byte) => route(byte) : undefined))
      await connection.send(Uint8Array.from(GS_ENTER_BOOTLOADER))
      const entered = await ready
      connection.routeAfterBlock(undefined)
      if (!entered.ok) {
        if (entered.error.code === 'canceled') {
          return fail('hardwareError', 'the printer vanished before the transfer', 'disconnected')
        }
        // it answered GS I a moment ago but not the bootloader command: it has no such bootloader
        return fail('unsupported', 'the printer did not enter a bootloader (GS ( E fn 0x7E unanswered)', 'refused')
      }
      const done = await runXmodemTransfer(
        image,
        {
          write: (bytes) => connection.send(bytes),
          route: (onByte) => {
            route = onByte
            for (const byte of early.splice(0)) onByte(byte)
            return () => {
              route = () => undefined
              // what follows the transfer (a refusal reason) is ESC/POS again
              connection.routeBytes(undefined)
              connection.resetDecoder()
            }
          },
          onGone: (listener) => connection.onGone(listener),
        },
        {
          startTimeoutMs: timings.startTimeoutMs,
          blockTimeoutMs: timings.blockTimeoutMs,
          maxRetries: timings.maxRetries,
          onProgress: options.onProgress,
          signal: options.signal,
        },
      )
      connection.routeBytes(undefined)
      connection.resetDecoder()
      connection.health.firmwareRetransmits += done.stats.retransmits
      if (!done.ok) return this.#transferFailed(done.reason, log)
      options.onProgress?.(1)
      log.info({ retransmits: done.stats.retransmits }, 'image accepted, waiting for the restart')
      const after = await version.waitForRestart()
      if (!after.ok) return after
      if (after.value !== header.header.version) {
        return fail(
          'hardwareError',
          `the printer reports firmware ${after.value} after the update, expected ${header.header.version}`,
          'refused',
        )
      }
      log.info({ firmware: after.value }, 'firmware updated')
      return ok({ firmware: after.value })
    })
  }

  async #transferFailed(reason: TransferFailure, log: Logger): Promise<UpdateResult<never>> {
    switch (reason) {
      case 'cancelledByReceiver': {
        let text = this.#o.connection.lastRefusal
        if (text === undefined) {
          const why = await this.#o.connection.replies.expect(
            (b) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_REFUSED,
            this.#o.timings.replyTimeoutMs,
          )
          text = why.ok ? latin1(why.value.data.subarray(1)) : 'no reason given'
        }
        log.warn({ reason: text }, 'the printer refused the image')
        const detail = text === 'wrongModel' ? 'wrongModel' : 'refused'
        return fail('invalidData', `the printer refused the firmware image: ${text}`, detail)
      }
      case 'aborted':
        return fail('canceled', 'firmware update aborted; the printer keeps its old firmware', 'aborted')
      case 'disconnected':
      case 'writeFailed':
        return fail('hardwareError', 'the printer vanished during the firmware transfer', 'disconnected')
      case 'noReceiver':
        return fail('timeout', 'the bootloader never asked for the image', 'noResponse')
      case 'receiverSilent':
        return fail('timeout', 'the printer stopped answering mid-transfer; it keeps its old firmware', 'noResponse')
      case 'tooManyRetries':
        return fail('hardwareError', 'too many failed blocks; transfer cancelled', 'transferFailed')
    }
  }
}

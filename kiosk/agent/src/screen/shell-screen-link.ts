import { randomUUID } from 'node:crypto'
import { AppError } from '@drivers/core'
import type { LocalApiPayload } from '@kiosk-fleet/protocol/local-api'
import type { Logger } from 'pino'
import { KioskErrorCodes } from '../errors.ts'
import type { CommandContext, CommandHandler } from '../local-api/local-api-server.ts'
import type { ScreenCapture, ScreenCapturer } from './screen-capturer.ts'

interface Waiting {
  resolve: (capture: ScreenCapture) => void
  reject: (err: Error) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * The agent's ScreenCapturer on a kiosk: the Electron shell (a separate process) serves captures
 * over the local API. It keeps `Shell.ServeCapture` open; a capture is a `Shell.CaptureRequestEvent`
 * on that command, answered by `Shell.CaptureResult` (kiosk/shell/src/capture-link.ts).
 */
export class ShellScreenLink implements ScreenCapturer {
  readonly #log: Logger
  readonly #timeoutMs: number
  readonly #waiting = new Map<string, Waiting>()
  #serving: CommandContext | undefined

  constructor(options: { logger: Logger; timeoutMs?: number }) {
    this.#log = options.logger
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  /** A shell has offered to capture (the latest offer wins). */
  get connected(): boolean {
    return this.#serving !== undefined
  }

  handlers(): Record<string, CommandHandler> {
    return {
      'Shell.ServeCapture': (_payload, ctx) =>
        new Promise(() => {
          this.#serving = ctx
          this.#log.info('shell serves screen captures')
        }),
      'Shell.CaptureResult': async (payload) => {
        const p = payload as LocalApiPayload<'Shell.CaptureResult'>
        const waiting = this.#waiting.get(p.captureId)
        if (waiting === undefined) {
          return { completionCode: 'invalidData', errorCode: 'unknownCapture', errorDescription: 'no such capture' }
        }
        this.#waiting.delete(p.captureId)
        clearTimeout(waiting.timer)
        if (p.image === undefined || p.mimeType === undefined || p.width === undefined || p.height === undefined) {
          waiting.reject(new AppError(KioskErrorCodes.commandFailed, `the shell could not capture: ${p.error ?? '?'}`))
        } else {
          const bytes = Buffer.from(p.image, 'base64')
          waiting.resolve({ mimeType: p.mimeType, bytes, width: p.width, height: p.height })
        }
        return { completionCode: 'success' }
      },
    }
  }

  capture(options: { maxSide: number; quality: number }): Promise<ScreenCapture> {
    const serving = this.#serving
    if (serving === undefined) {
      return Promise.reject(new AppError(KioskErrorCodes.unsupported, 'no kiosk shell serves screen captures'))
    }
    const captureId = randomUUID()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(captureId)
        // A shell that went away leaves its offer behind: forget it until it offers again.
        if (this.#serving === serving) this.#serving = undefined
        reject(new AppError(KioskErrorCodes.commandFailed, 'the kiosk shell did not answer the capture'))
      }, this.#timeoutMs)
      this.#waiting.set(captureId, { resolve, reject, timer })
      serving.event('Shell.CaptureRequestEvent', { captureId, ...options })
    })
  }
}

import { AppError } from '@drivers/core'
import {
  type CommandData,
  type CommandParams,
  DEFAULT_SCREENSHOT_MAX_SIDE,
  MAX_SCREENSHOT_BYTES,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { KioskErrorCodes } from '../errors.ts'
import type { ScreenCapturer } from './screen-capturer.ts'

/** What the screenshot command needs to know of citizen sessions (the SessionManager has it). */
export interface SessionWatch {
  readonly current: object | undefined
  /** Sessions started so far: a change means one began while the screen was being captured. */
  readonly starts: number
  /** When (epoch ms) the last session ended. */
  readonly lastEndedAt: number | undefined
}

export interface ScreenshotCommandOptions {
  /** The screen capturer, when a display runs on this kiosk (the shell's or a test's). */
  capturer: () => ScreenCapturer | undefined
  /** The citizen sessions; undefined when the citizen UI is off (then no citizen is ever served). */
  sessions: () => SessionWatch | undefined
  /**
   * After a session ends the UI needs a moment to go back to its start screen: no capture until this
   * long after the end (default 5 s), so the last screen of a citizen is never in a picture.
   */
  quietMs?: number
  now?: () => number
  logger: Logger
}

/** JPEG qualities tried in turn until the image fits `MAX_SCREENSHOT_BYTES`. */
const QUALITIES = [70, 50, 35, 20]

/**
 * `screenshot`: a downscaled picture of the screen for IT staff, never of a citizen's. While a
 * citizen session is open, or within `quietMs` after one ended, or when a session started while
 * the capture ran, the answer is `{taken: false, refused: 'sessionActive'}` and no picture leaves
 * the kiosk (one taken in between is dropped unsent).
 */
export function createScreenshotHandler(
  o: ScreenshotCommandOptions,
): (params: CommandParams<'screenshot'>) => Promise<CommandData<'screenshot'>> {
  const now = o.now ?? Date.now
  const quietMs = o.quietMs ?? 5000
  const busy = (): boolean => {
    const sessions = o.sessions()
    if (sessions === undefined) return false
    if (sessions.current !== undefined) return true
    const ended = sessions.lastEndedAt
    return ended !== undefined && now() - ended < quietMs
  }
  return async (params) => {
    if (busy()) {
      o.logger.info('screenshot refused: a citizen session is active')
      return { taken: false, refused: 'sessionActive' }
    }
    const capturer = o.capturer()
    if (capturer === undefined) return { taken: false, refused: 'noDisplay' }
    const maxSide = params.maxSide ?? DEFAULT_SCREENSHOT_MAX_SIDE
    const startsBefore = o.sessions()?.starts ?? 0
    for (const quality of QUALITIES) {
      const shot = await capturer.capture({ maxSide, quality })
      if (busy() || (o.sessions()?.starts ?? 0) !== startsBefore) {
        shot.bytes.fill(0)
        o.logger.info('screenshot dropped: a citizen session began during the capture')
        return { taken: false, refused: 'sessionActive' }
      }
      if (shot.bytes.length <= MAX_SCREENSHOT_BYTES) {
        o.logger.info({ width: shot.width, height: shot.height, bytes: shot.bytes.length, quality }, 'screenshot taken')
        return {
          taken: true,
          takenAt: now(),
          mimeType: shot.mimeType,
          width: shot.width,
          height: shot.height,
          image: Buffer.from(shot.bytes).toString('base64'),
        }
      }
    }
    throw new AppError(
      KioskErrorCodes.screenshotTooLarge,
      `the screenshot does not fit ${MAX_SCREENSHOT_BYTES} bytes even at JPEG quality ${QUALITIES.at(-1)}: ask for a smaller maxSide`,
    )
  }
}

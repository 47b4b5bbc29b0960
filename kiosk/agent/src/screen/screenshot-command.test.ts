import { createCodecs, MAX_SCREENSHOT_BYTES } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionManager } from '../sessions/session-manager.ts'
import { TransactionCounter } from '../sessions/transaction-counter.ts'
import type { ScreenCapture, ScreenCapturer } from './screen-capturer.ts'
import { createScreenshotHandler } from './screenshot-command.ts'

const codecs = createCodecs()

/** A capturer that hands out a fixed picture of `size` bytes per quality, and counts its calls. */
class FixedCapturer implements ScreenCapturer {
  readonly calls: { maxSide: number; quality: number }[] = []
  during: (() => void) | undefined
  constructor(readonly size: (quality: number) => number) {}
  async capture(options: { maxSide: number; quality: number }): Promise<ScreenCapture> {
    this.calls.push(options)
    this.during?.()
    const bytes = new Uint8Array(this.size(options.quality)).fill(0xab)
    return { mimeType: 'image/jpeg', bytes, width: 430, height: 932 }
  }
}

function setup(capturer: ScreenCapturer | 'none' = new FixedCapturer(() => 1000)) {
  const sessions = new SessionManager({
    idleTimeoutMs: 60_000,
    idleWarningMs: 25_000,
    transactions: new TransactionCounter(),
  })
  const handler = createScreenshotHandler({
    capturer: () => (capturer === 'none' ? undefined : capturer),
    sessions: () => sessions,
    logger: pino({ level: 'silent' }),
  })
  return { sessions, handler }
}

describe('screenshot command', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers the picture when no citizen is being served, in a response the contract accepts', async () => {
    const capturer = new FixedCapturer(() => 1000)
    const { handler } = setup(capturer)
    const data = await handler({})
    expect(data).toMatchObject({ taken: true, mimeType: 'image/jpeg', width: 430, height: 932 })
    expect(data.taken && Buffer.from(data.image, 'base64').length).toBe(1000)
    expect(capturer.calls).toEqual([{ maxSide: 960, quality: 70 }])
    const response = codecs.responses.screenshot.encode({ transaction: 'tx-000001', ts: 1, status: 'ok', data })
    expect(codecs.responses.screenshot.decode(new TextEncoder().encode(response)).ok).toBe(true)
  })

  it('refuses with sessionActive while a citizen session is open, without touching the screen', async () => {
    const capturer = new FixedCapturer(() => 1000)
    const { handler, sessions } = setup(capturer)
    sessions.start('id-progress')
    expect(await handler({ maxSide: 640 })).toEqual({ taken: false, refused: 'sessionActive' })
    expect(capturer.calls).toEqual([])
  })

  it('keeps refusing for five seconds after the session ended, while the UI goes back to its start screen', async () => {
    const { handler, sessions } = setup()
    sessions.start('id-progress')
    sessions.end('completed')
    expect(await handler({})).toEqual({ taken: false, refused: 'sessionActive' })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(await handler({})).toEqual({ taken: false, refused: 'sessionActive' })
    await vi.advanceTimersByTimeAsync(1)
    expect(await handler({})).toMatchObject({ taken: true })
  })

  it('drops a picture taken while a session began (and ended) during the capture', async () => {
    const capturer = new FixedCapturer(() => 1000)
    const { handler, sessions } = setup(capturer)
    await vi.advanceTimersByTimeAsync(10_000)
    capturer.during = () => {
      sessions.start('id-progress')
      sessions.end('canceled')
    }
    expect(await handler({})).toEqual({ taken: false, refused: 'sessionActive' })
    expect(capturer.calls).toHaveLength(1)
  })

  it('lowers the JPEG quality until the picture fits the contract, and fails with a code when it never does', async () => {
    const shrinking = new FixedCapturer((q) => (q > 35 ? MAX_SCREENSHOT_BYTES + 1 : MAX_SCREENSHOT_BYTES))
    expect(await setup(shrinking).handler({})).toMatchObject({ taken: true })
    expect(shrinking.calls.map((c) => c.quality)).toEqual([70, 50, 35])
    const huge = new FixedCapturer(() => MAX_SCREENSHOT_BYTES + 1)
    await expect(setup(huge).handler({})).rejects.toMatchObject({ code: 'ERR_KIOSK_SCREENSHOT_TOO_LARGE' })
  })

  it('answers noDisplay where no screen capturer runs', async () => {
    const { handler } = setup('none')
    expect(await handler({})).toEqual({ taken: false, refused: 'noDisplay' })
  })
})

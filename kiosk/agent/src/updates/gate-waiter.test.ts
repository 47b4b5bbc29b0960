import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { waitForGate } from './gate-waiter.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import type { KioskActivity, MaintenancePolicy } from './update-gate.ts'

const sh = (local: string): number => Date.parse(`${local}:00+08:00`)
const HOURS = [{ start: '08:30', end: '17:30' }]
const POLICY: MaintenancePolicy = {
  windows: [{ start: '01:00', end: '05:00' }],
  openingHours: { 0: HOURS, 1: HOURS, 2: HOURS, 3: HOURS, 4: HOURS, 5: HOURS, 6: HOURS },
  holidays: [],
}

let activity: KioskActivity

beforeEach(() => {
  vi.useFakeTimers({ now: sh('2026-11-24T10:00') })
  activity = { sessionActive: false, cardInReader: false, paperInPath: false }
})
afterEach(() => {
  vi.useRealTimers()
})

function watch(promise: Promise<void>): { settled: () => boolean; error: () => unknown } {
  let settled = false
  let error: unknown
  promise.then(
    () => {
      settled = true
    },
    (err: unknown) => {
      settled = true
      error = err
    },
  )
  return { settled: () => settled, error: () => error }
}

describe('waitForGate', () => {
  it('sleeps until the window opens', async () => {
    const wait = watch(waitForGate({ policy: POLICY, activity: () => activity }))
    await vi.advanceTimersByTimeAsync(sh('2026-11-25T01:00') - sh('2026-11-24T10:00') - 1)
    expect(wait.settled()).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(wait.settled()).toBe(true)
    expect(wait.error()).toBeUndefined()
    expect(Date.now()).toBe(sh('2026-11-25T01:00'))
  })

  it('keeps polling while a citizen is served, then opens', async () => {
    vi.setSystemTime(sh('2026-11-24T02:00'))
    activity.sessionActive = true
    const wait = watch(waitForGate({ policy: POLICY, activity: () => activity, pollMs: 30_000 }))
    await vi.advanceTimersByTimeAsync(60_000)
    expect(wait.settled()).toBe(false)
    activity.sessionActive = false
    await vi.advanceTimersByTimeAsync(30_000)
    expect(wait.settled()).toBe(true)
  })

  it('gives up with a stable code when aborted', async () => {
    const abort = new AbortController()
    const wait = watch(waitForGate({ policy: POLICY, activity: () => activity, signal: abort.signal }))
    abort.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(wait.error()).toMatchObject({ code: UpdateErrorCodes.gateFailed })
  })
})

import { AppError } from '@drivers/core'
import { UpdateErrorCodes } from './update-errors.ts'
import { decideGate, type KioskActivity, type MaintenancePolicy, nextOpportunity } from './update-gate.ts'

export interface GateWaiterOptions {
  policy: MaintenancePolicy
  /** Live kiosk activity: citizen session, card in the reader, paper in the printer path. */
  activity: () => KioskActivity
  now?: () => number
  /** How often to look again while the kiosk is busy. Default 30 s. */
  pollMs?: number
  /** Longest single sleep while waiting for a window (re-checks the clock after it). Default 15 min. */
  maxSleepMs?: number
  signal?: AbortSignal
}

/**
 * Resolves when `decideGate` opens: sleeps until the next window while outside one (at most
 * `maxSleepMs` at a time), polls every `pollMs` while the kiosk is busy. Rejects with ERR_KIOSK_UPDATE_GATE_FAILED when aborted or when
 * the calendar has no window at all.
 */
export async function waitForGate(options: GateWaiterOptions): Promise<void> {
  const now = options.now ?? Date.now
  const pollMs = options.pollMs ?? 30_000
  const maxSleepMs = options.maxSleepMs ?? 15 * 60_000
  for (;;) {
    if (options.signal?.aborted) throw new AppError(UpdateErrorCodes.gateFailed, 'waiting for the gate was aborted')
    const t = now()
    const decision = decideGate(t, options.activity(), options.policy)
    if (decision.open) return
    let delay = pollMs
    if (decision.reasons.includes('outsideWindow')) {
      const next = nextOpportunity(t, options.policy)
      if (next === undefined) throw new AppError(UpdateErrorCodes.gateFailed, 'the site calendar has no window')
      delay = Math.min(maxSleepMs, Math.max(next - t, MIN_SLEEP_MS))
    }
    await sleep(delay, options.signal)
  }
}

const MIN_SLEEP_MS = 1000

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}

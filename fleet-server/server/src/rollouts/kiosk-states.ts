import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'

import {
  ACTIVE_ROLLOUT_STATES,
  FAILED_ROLLOUT_STATES,
  KIOSK_ROLLOUT_STATES,
  type KioskRolloutState,
  ROLLOUT_STATUSES,
  type RolloutStateCounts,
  type RolloutStatus,
} from '@kiosk-fleet/protocol/http'

// The vocabularies are the HTTP contract's (protocol/src/http/vocabularies.ts).
export { type KioskRolloutState, ROLLOUT_STATUSES, type RolloutStatus }
export const KIOSK_STATES = KIOSK_ROLLOUT_STATES
export const FAILED_STATES = FAILED_ROLLOUT_STATES
export const FINISHED_STATES: readonly KioskRolloutState[] = ['succeeded', ...FAILED_STATES]
/** Not yet installing: a halt or abort cancels these. */
export const CANCELLABLE_STATES: readonly KioskRolloutState[] = ['pending', 'notified', 'downloading', 'downloaded']
/** Reached and not finished: the kiosk is working on it. */
export const ACTIVE_STATES = ACTIVE_ROLLOUT_STATES

const RANK: Record<KioskRolloutState, number> = {
  pending: 0,
  notified: 1,
  downloading: 2,
  downloaded: 3,
  installing: 4,
  rebooting: 5,
  verifying: 6,
  succeeded: 7,
  failed: 7,
  rolledBack: 7,
  timedOut: 7,
  cancelled: 7,
}

const FROM_REPORT: Record<DeploymentStatusPayload['state'], KioskRolloutState> = {
  downloading: 'downloading',
  downloaded: 'downloaded',
  installing: 'installing',
  rebooting: 'rebooting',
  success: 'verifying',
  failure: 'failed',
  rolledBack: 'rolledBack',
}

export interface KioskProgress {
  state: KioskRolloutState
  progress: number | null
  blockedBy: string[] | null
  errorCode: string | null
}

/**
 * The kiosk's rollout state after a deployment report, or undefined when the report changes nothing.
 * States only move forward, so a QoS 1 duplicate or a late (reordered, resent) report is ignored; a
 * report of the same phase refreshes progress and `blockedBy`. `timedOut` and `cancelled` are the
 * server's guesses, so the kiosk's own later word wins (a kiosk that answered `tooLate` to a cancel
 * goes on to report its install). Terminal outcomes reported by the kiosk are final, except that
 * `rolledBack` follows a `failure` (the kiosk rolled the release back by itself).
 */
export function applyReport(current: KioskProgress, report: DeploymentStatusPayload): KioskProgress | undefined {
  const next = FROM_REPORT[report.state]
  const soft = current.state === 'timedOut' || current.state === 'cancelled'
  // A release that fails after installing is reported `failure` (with the cause), then `rolledBack`
  // once the kiosk is back on its previous version: the rollback completes the failure.
  const rollbackDone = current.state === 'failed' && next === 'rolledBack'
  if (!soft && !rollbackDone && RANK[next] < RANK[current.state]) return undefined
  if (!soft && !rollbackDone && RANK[current.state] === 7) return undefined
  const updated: KioskProgress = {
    state: next,
    progress: report.progress ?? (next === current.state ? current.progress : null),
    blockedBy: next === 'downloaded' ? (report.blockedBy ?? []) : null,
    errorCode:
      report.errorCode ??
      (rollbackDone ? current.errorCode : null) ??
      (next === 'failed' || next === 'rolledBack' ? 'ERR_FLEET_ROLLOUT_KIOSK_FAILED' : null),
  }
  if (
    updated.state === current.state &&
    updated.progress === current.progress &&
    updated.errorCode === current.errorCode &&
    sameList(updated.blockedBy, current.blockedBy)
  )
    return undefined
  return updated
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Which timeout stretch a state is in: none while waiting for the install window (`downloaded`). */
export function timeoutStretch(state: KioskRolloutState): 'delivery' | 'install' | undefined {
  if (state === 'notified' || state === 'downloading') return 'delivery'
  if (state === 'installing' || state === 'rebooting' || state === 'verifying') return 'install'
  return undefined
}

export type StateCounts = RolloutStateCounts

const sum = (counts: StateCounts, states: readonly KioskRolloutState[]) =>
  states.reduce((n, s) => n + (counts[s] ?? 0), 0)

/**
 * Whether a group passed: `succeeded / counted ≥ successThreshold`, where `counted` is the group's
 * size less its kiosks still `pending` while offline. A kiosk that has been offline since the group
 * started is neither a success nor a failure yet: it stays pending and is notified at its next birth,
 * but it does not hold the whole rollout. `cancelled` kiosks are not counted either. An empty group
 * (or one whose kiosks are all offline) passes.
 */
export function groupPassed(counts: StateCounts, offlinePending: number, successThreshold: number): boolean {
  const size = Object.values(counts).reduce((n, c) => n + (c ?? 0), 0)
  const counted = size - offlinePending - (counts.cancelled ?? 0)
  if (counted <= 0) return true
  return (counts.succeeded ?? 0) / counted >= successThreshold - 1e-9
}

/**
 * Whether the rollout must halt: `(failed + rolledBack + timedOut) / finished ≥ errorThreshold`
 * once at least `errorMinSample` kiosks (of the whole rollout) have finished.
 */
export function shouldHalt(
  counts: StateCounts,
  errorThreshold: number,
  errorMinSample: number,
): { halt: boolean; failed: number; finished: number } {
  const failed = sum(counts, FAILED_STATES)
  const finished = sum(counts, FINISHED_STATES)
  const halt = finished >= errorMinSample && failed > 0 && failed / finished >= errorThreshold - 1e-9
  return { halt, failed, finished }
}

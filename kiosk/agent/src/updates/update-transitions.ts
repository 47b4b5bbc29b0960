import { AppError } from '@drivers/core'
import type { DeploymentState } from '@kiosk-fleet/protocol'
import type { Static } from '@sinclair/typebox'
import { UpdateErrorCodes } from './update-errors.ts'

export type UpdateState =
  | 'idle'
  | 'downloading'
  | 'verifying'
  | 'awaitingGate'
  | 'installing'
  | 'rebooting'
  | 'healthCheck'
  | 'committed'
  | 'rollingBack'
  | 'rolledBack'
  | 'failed'

export type UpdateEvent =
  | 'start'
  | 'downloaded'
  | 'verified'
  | 'gateOpen'
  | 'installed'
  | 'restarted'
  | 'healthy'
  | 'rolledBack'
  | 'fail'

/**
 * The whole update flow as data (mender's (state, event) → state table). Before the pointer may have
 * moved (downloading, verifying, awaitingGate) a failure ends in `failed`; from `installing` on it
 * goes through `rollingBack`. A terminal state accepts only `start` of the next deployment.
 */
export const UPDATE_TRANSITIONS: Readonly<Record<UpdateState, Readonly<Partial<Record<UpdateEvent, UpdateState>>>>> = {
  idle: { start: 'downloading' },
  downloading: { downloaded: 'verifying', fail: 'failed' },
  verifying: { verified: 'awaitingGate', fail: 'failed' },
  awaitingGate: { gateOpen: 'installing', fail: 'failed' },
  installing: { installed: 'rebooting', fail: 'rollingBack' },
  rebooting: { restarted: 'healthCheck', fail: 'rollingBack' },
  healthCheck: { healthy: 'committed', fail: 'rollingBack' },
  rollingBack: { rolledBack: 'rolledBack', fail: 'failed' },
  committed: { start: 'downloading' },
  rolledBack: { start: 'downloading' },
  failed: { start: 'downloading' },
}

export const TERMINAL_STATES: ReadonlySet<UpdateState> = new Set(['idle', 'committed', 'rolledBack', 'failed'])

/** The next state, or ERR_KIOSK_UPDATE_ILLEGAL_EVENT when the table has no such edge. */
export function nextState(state: UpdateState, event: UpdateEvent): UpdateState {
  const next = UPDATE_TRANSITIONS[state][event]
  if (next === undefined) {
    throw new AppError(UpdateErrorCodes.illegalEvent, `event ${event} is not allowed in state ${state}`, {
      context: { state, event },
    })
  }
  return next
}

export type DeploymentStateName = Static<typeof DeploymentState>

/**
 * How each internal state is published on `kiosk/v1/{kioskId}/deployments/{id}`: the protocol knows
 * seven states; `awaitingGate` is `downloaded` (with `blockedBy`, added by the update service). `rollingBack` is published as `failure` (with the reason's errorCode), followed by
 * `rolledBack` once the previous release is current again; `failed` is a failure with nothing to roll back
 * (or a rollback that failed).
 */
export const DEPLOYMENT_STATE_OF: Readonly<Record<UpdateState, DeploymentStateName | undefined>> = {
  idle: undefined,
  downloading: 'downloading',
  verifying: 'downloading',
  awaitingGate: 'downloaded',
  installing: 'installing',
  rebooting: 'rebooting',
  healthCheck: 'rebooting',
  committed: 'success',
  rollingBack: 'failure',
  rolledBack: 'rolledBack',
  failed: 'failure',
}

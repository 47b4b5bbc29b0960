/** Error codes of rollouts and maintenance schedules (ERR_FLEET_ROLLOUT_*), as HTTP bodies `{code, message}`. */
export const RolloutErrorCodes = {
  notFound: 'ERR_FLEET_ROLLOUT_NOT_FOUND',
  artifactNotFound: 'ERR_FLEET_ROLLOUT_ARTIFACT_NOT_FOUND',
  artifactNotReady: 'ERR_FLEET_ROLLOUT_ARTIFACT_NOT_READY',
  invalid: 'ERR_FLEET_ROLLOUT_INVALID',
  emptySelection: 'ERR_FLEET_ROLLOUT_EMPTY_SELECTION',
  badTransition: 'ERR_FLEET_ROLLOUT_BAD_TRANSITION',
  selfApproval: 'ERR_FLEET_ROLLOUT_SELF_APPROVAL',
  outOfScope: 'ERR_FLEET_ROLLOUT_OUT_OF_SCOPE',
  siteNotFound: 'ERR_FLEET_ROLLOUT_SITE_NOT_FOUND',
  scheduleInvalid: 'ERR_FLEET_ROLLOUT_SCHEDULE_INVALID',
} as const

export type RolloutErrorCode = (typeof RolloutErrorCodes)[keyof typeof RolloutErrorCodes]

const STATUS: Record<RolloutErrorCode, number> = {
  ERR_FLEET_ROLLOUT_NOT_FOUND: 404,
  ERR_FLEET_ROLLOUT_ARTIFACT_NOT_FOUND: 404,
  ERR_FLEET_ROLLOUT_ARTIFACT_NOT_READY: 409,
  ERR_FLEET_ROLLOUT_INVALID: 400,
  ERR_FLEET_ROLLOUT_EMPTY_SELECTION: 409,
  ERR_FLEET_ROLLOUT_BAD_TRANSITION: 409,
  ERR_FLEET_ROLLOUT_SELF_APPROVAL: 403,
  ERR_FLEET_ROLLOUT_OUT_OF_SCOPE: 403,
  ERR_FLEET_ROLLOUT_SITE_NOT_FOUND: 404,
  ERR_FLEET_ROLLOUT_SCHEDULE_INVALID: 400,
}

/** A refused rollout or schedule request; routes answer `statusCode` with `{code, message}`. */
export class RolloutError extends Error {
  override readonly name = 'RolloutError'
  readonly statusCode: number
  constructor(
    readonly code: RolloutErrorCode,
    message: string,
  ) {
    super(message)
    this.statusCode = STATUS[code]
  }
}

/**
 * Names for the error codes of rollouts and maintenance schedules (ERR_FLEET_ROLLOUT_*), thrown as
 * FleetError (errors.ts); their HTTP statuses are in the catalog, protocol/src/http/errors.ts.
 */
export const RolloutErrorCodes = {
  notFound: 'ERR_FLEET_ROLLOUT_NOT_FOUND',
  artifactNotFound: 'ERR_FLEET_ROLLOUT_ARTIFACT_NOT_FOUND',
  artifactNotReady: 'ERR_FLEET_ROLLOUT_ARTIFACT_NOT_READY',
  bundleSuperseded: 'ERR_FLEET_ROLLOUT_BUNDLE_SUPERSEDED',
  invalid: 'ERR_FLEET_ROLLOUT_INVALID',
  emptySelection: 'ERR_FLEET_ROLLOUT_EMPTY_SELECTION',
  badTransition: 'ERR_FLEET_ROLLOUT_BAD_TRANSITION',
  selfApproval: 'ERR_FLEET_ROLLOUT_SELF_APPROVAL',
  outOfScope: 'ERR_FLEET_ROLLOUT_OUT_OF_SCOPE',
  siteNotFound: 'ERR_FLEET_ROLLOUT_SITE_NOT_FOUND',
  scheduleInvalid: 'ERR_FLEET_ROLLOUT_SCHEDULE_INVALID',
} as const

export type RolloutErrorCode = (typeof RolloutErrorCodes)[keyof typeof RolloutErrorCodes]

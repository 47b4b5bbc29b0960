/**
 * Update-agent error codes (ERR_KIOSK_UPDATE_*), listed in docs/errors.md. The first group is thrown
 * (misuse, bugs, a damaged disk); the second is reported as `errorCode` on the deployment topic.
 */
export const UpdateErrorCodes = {
  illegalEvent: 'ERR_KIOSK_UPDATE_ILLEGAL_EVENT',
  busy: 'ERR_KIOSK_UPDATE_BUSY',
  stateCorrupt: 'ERR_KIOSK_UPDATE_STATE_CORRUPT',
  badVersion: 'ERR_KIOSK_UPDATE_BAD_VERSION',
  releaseMissing: 'ERR_KIOSK_UPDATE_RELEASE_MISSING',
  downloadFailed: 'ERR_KIOSK_UPDATE_DOWNLOAD_FAILED',
  downloadStalled: 'ERR_KIOSK_UPDATE_DOWNLOAD_STALLED',
  downloadTooSlow: 'ERR_KIOSK_UPDATE_DOWNLOAD_TOO_SLOW',
  downloadDeadline: 'ERR_KIOSK_UPDATE_DOWNLOAD_DEADLINE',
  verifyFailed: 'ERR_KIOSK_UPDATE_VERIFY_FAILED',
  gateFailed: 'ERR_KIOSK_UPDATE_GATE_FAILED',
  installFailed: 'ERR_KIOSK_UPDATE_INSTALL_FAILED',
  restartFailed: 'ERR_KIOSK_UPDATE_RESTART_FAILED',
  healthCheckFailed: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED',
  crashLoop: 'ERR_KIOSK_UPDATE_CRASH_LOOP',
  rollbackFailed: 'ERR_KIOSK_UPDATE_ROLLBACK_FAILED',
  cancelled: 'ERR_KIOSK_UPDATE_CANCELLED',
  deadline: 'ERR_KIOSK_UPDATE_DEADLINE',
  unsupported: 'ERR_KIOSK_UPDATE_UNSUPPORTED',
  artifactMismatch: 'ERR_KIOSK_UPDATE_ARTIFACT_MISMATCH',
  incompatible: 'ERR_KIOSK_UPDATE_INCOMPATIBLE',
  deviceMissing: 'ERR_KIOSK_UPDATE_DEVICE_MISSING',
  deviceFailed: 'ERR_KIOSK_UPDATE_DEVICE_FAILED',
  badRequest: 'ERR_KIOSK_UPDATE_BAD_REQUEST',
} as const
export type UpdateErrorCode = (typeof UpdateErrorCodes)[keyof typeof UpdateErrorCodes]

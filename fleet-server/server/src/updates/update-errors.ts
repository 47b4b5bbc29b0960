/** Error codes of the update repository (ERR_FLEET_UPDATE_*), listed in docs/errors.md. */
export const UpdateErrorCodes = {
  pathOutsideVendor: 'ERR_FLEET_UPDATE_PATH_OUTSIDE_VENDOR',
  keyNotDelegated: 'ERR_FLEET_UPDATE_KEY_NOT_DELEGATED',
  unknownVendor: 'ERR_FLEET_UPDATE_UNKNOWN_VENDOR',
  invalidInput: 'ERR_FLEET_UPDATE_INVALID',
  repositoryState: 'ERR_FLEET_UPDATE_REPOSITORY_STATE',
  versionConflict: 'ERR_FLEET_UPDATE_VERSION_CONFLICT',
} as const

export type UpdateErrorCode = (typeof UpdateErrorCodes)[keyof typeof UpdateErrorCodes]

export class UpdateRepositoryError extends Error {
  override readonly name = 'UpdateRepositoryError'
  constructor(
    readonly code: UpdateErrorCode,
    message: string,
  ) {
    super(message)
  }
}

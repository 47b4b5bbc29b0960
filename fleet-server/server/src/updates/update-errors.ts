import { FleetError } from '../errors.ts'

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

/** A refusal of the TUF repository: a FleetError with one of the ERR_FLEET_UPDATE_* codes. */
export class UpdateRepositoryError extends FleetError {
  override readonly name = 'UpdateRepositoryError'
  declare readonly code: UpdateErrorCode
  constructor(code: UpdateErrorCode, message: string) {
    super(code, message)
  }
}

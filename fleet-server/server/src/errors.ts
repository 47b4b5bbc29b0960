import { FLEET_ERRORS, type FleetErrorCode } from '@kiosk-fleet/protocol/http'

export type { FleetErrorCode } from '@kiosk-fleet/protocol/http'

/**
 * Names for the fleet-server's error codes, for call sites (`FleetErrorCodes.kioskNotFound`). Each
 * code's HTTP status and default message are in the catalog, protocol/src/http/errors.ts; every code
 * is described in docs/errors.md.
 */
export const FleetErrorCodes = {
  kioskNotFound: 'ERR_FLEET_KIOSK_NOT_FOUND',
  screenshotNotFound: 'ERR_FLEET_SCREENSHOT_NOT_FOUND',
  confirmationRequired: 'ERR_FLEET_CONFIRMATION_REQUIRED',
  siteNotFound: 'ERR_FLEET_SITE_NOT_FOUND',
  tileNotFound: 'ERR_FLEET_TILE_NOT_FOUND',
  alertNotFound: 'ERR_FLEET_ALERT_NOT_FOUND',
  silenceNotFound: 'ERR_FLEET_SILENCE_NOT_FOUND',
  silenceInvalid: 'ERR_FLEET_SILENCE_INVALID',
  silenceOutOfScope: 'ERR_FLEET_SILENCE_OUT_OF_SCOPE',
  unauthenticated: 'ERR_FLEET_UNAUTHENTICATED',
  forbidden: 'ERR_FLEET_FORBIDDEN',
  badCredentials: 'ERR_FLEET_BAD_CREDENTIALS',
  conflict: 'ERR_FLEET_CONFLICT',
  badRequest: 'ERR_FLEET_BAD_REQUEST',
  request: 'ERR_FLEET_REQUEST',
  internal: 'ERR_FLEET_INTERNAL',
  enrolmentRefused: 'ERR_FLEET_ENROLMENT_REFUSED',
  reservedKioskId: 'ERR_FLEET_RESERVED_KIOSK_ID',
  mqttPasswordMissing: 'ERR_FLEET_MQTT_PASSWORD_MISSING',
  // Transport security and hardening (docs/operations.md).
  tlsConfig: 'ERR_FLEET_TLS_CONFIG',
  lockedOut: 'ERR_FLEET_LOCKED_OUT',
  rateLimited: 'ERR_FLEET_RATE_LIMITED',
  userNotFound: 'ERR_FLEET_USER_NOT_FOUND',
  // Admin screens: users and known names (README "Users").
  passwordChangeRequired: 'ERR_FLEET_PASSWORD_CHANGE_REQUIRED',
  lastAdmin: 'ERR_FLEET_LAST_ADMIN',
  selfLockout: 'ERR_FLEET_SELF_LOCKOUT',
  unknownDepartment: 'ERR_FLEET_UNKNOWN_DEPARTMENT',
  unknownSite: 'ERR_FLEET_UNKNOWN_SITE',
  unknownUser: 'ERR_FLEET_UNKNOWN_USER',
  // Citizen services (the services page).
  serviceNotFound: 'ERR_FLEET_SERVICE_NOT_FOUND',
  serviceCatalogueInvalid: 'ERR_FLEET_SERVICE_CATALOGUE_INVALID',
  reportRangeInvalid: 'ERR_FLEET_REPORT_RANGE_INVALID',
  // Signed updates (docs/updates.md "HTTP API").
  updatesNotInitialised: 'ERR_FLEET_UPDATES_NOT_INITIALISED',
  metadataNotFound: 'ERR_FLEET_UPDATE_METADATA_NOT_FOUND',
  targetNotFound: 'ERR_FLEET_UPDATE_TARGET_NOT_FOUND',
  rangeNotSatisfiable: 'ERR_FLEET_RANGE_NOT_SATISFIABLE',
  artifactNotFound: 'ERR_FLEET_ARTIFACT_NOT_FOUND',
  artifactExists: 'ERR_FLEET_ARTIFACT_EXISTS',
  artifactInvalid: 'ERR_FLEET_ARTIFACT_INVALID',
  artifactState: 'ERR_FLEET_ARTIFACT_STATE',
  artifactTooLarge: 'ERR_FLEET_ARTIFACT_TOO_LARGE',
  appReleaseAdminOnly: 'ERR_FLEET_APP_RELEASE_ADMIN_ONLY',
  vendorForbidden: 'ERR_FLEET_VENDOR_FORBIDDEN',
  vendorMismatch: 'ERR_FLEET_VENDOR_MISMATCH',
  unknownUpdateVendor: 'ERR_FLEET_UNKNOWN_UPDATE_VENDOR',
  unknownUpdateDepartment: 'ERR_FLEET_UNKNOWN_UPDATE_DEPARTMENT',
  unknownDeviceModel: 'ERR_FLEET_UNKNOWN_DEVICE_MODEL',
  modelTakesNoFirmware: 'ERR_FLEET_MODEL_TAKES_NO_FIRMWARE',
  modelTakesNoConfig: 'ERR_FLEET_MODEL_TAKES_NO_CONFIG',
  unknownMachineType: 'ERR_FLEET_UNKNOWN_MACHINE_TYPE',
  unknownHwRevision: 'ERR_FLEET_UNKNOWN_HW_REVISION',
  departmentForbidden: 'ERR_FLEET_DEPARTMENT_FORBIDDEN',
  uploadNotFound: 'ERR_FLEET_UPLOAD_NOT_FOUND',
  uploadOffsetMismatch: 'ERR_FLEET_UPLOAD_OFFSET_MISMATCH',
  uploadBusy: 'ERR_FLEET_UPLOAD_BUSY',
  uploadExpired: 'ERR_FLEET_UPLOAD_EXPIRED',
  uploadTooLong: 'ERR_FLEET_UPLOAD_TOO_LONG',
  uploadContentType: 'ERR_FLEET_UPLOAD_CONTENT_TYPE',
  signaturesRejected: 'ERR_FLEET_SIGNATURES_REJECTED',
  signingRequestStale: 'ERR_FLEET_SIGNING_REQUEST_STALE',
} as const satisfies Record<string, FleetErrorCode>

/**
 * The fleet-server's one error type: a stable code from the catalog, whose HTTP status comes from the
 * catalog too (no call site picks a status). The app's error handler answers it as `{code, message}`
 * (plus `details` when given, e.g. the schema errors of a rejected config).
 */
export class FleetError extends Error {
  override readonly name: string = 'FleetError'
  readonly details?: unknown
  constructor(
    readonly code: FleetErrorCode,
    message: string = FLEET_ERRORS[code].message,
    options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    if (options.details !== undefined) this.details = options.details
  }

  /** The HTTP status of the code (500 for codes that are never an HTTP answer). */
  get statusCode(): number {
    return FLEET_ERRORS[this.code].httpStatus ?? 500
  }
}

/** Whether `error` is a FleetError, optionally with `code` (checked on the code, not the class chain). */
export function isFleetError(error: unknown, code?: FleetErrorCode): error is FleetError {
  return error instanceof FleetError && (code === undefined || error.code === code)
}

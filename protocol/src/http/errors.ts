import { type Static, Type } from '@sinclair/typebox'

/** The body of every refused fleet HTTP request (docs/errors.md lists the codes). */
export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() })
export type ErrorBody = Static<typeof ErrorBody>

/** A refusal that says more (e.g. the schema errors of a rejected config, the reason behind a code). */
export const ErrorBodyWithDetails = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
})
export type ErrorBodyWithDetails = Static<typeof ErrorBodyWithDetails>

export interface FleetErrorEntry {
  /** The status the fleet-server answers with; null for codes that are never an HTTP answer. */
  httpStatus: number | null
  /** The default message (a call site may give a more precise one). */
  message: string
}

/**
 * Every fleet-server error code (ERR_FLEET_*), its HTTP status and default message: the one table the
 * server's error handler answers from and fleetctl reads. docs/errors.md describes each code;
 * scripts/check-error-docs.ts checks the two agree both ways.
 */
export const FLEET_ERRORS = {
  // HTTP API in general
  ERR_FLEET_BAD_REQUEST: { httpStatus: 400, message: 'the request does not match the route schema' },
  ERR_FLEET_REQUEST: { httpStatus: 400, message: 'bad request' },
  ERR_FLEET_INTERNAL: { httpStatus: 500, message: 'internal error' },
  ERR_FLEET_UNAUTHENTICATED: { httpStatus: 401, message: 'log in or send an API token' },
  ERR_FLEET_FORBIDDEN: { httpStatus: 403, message: 'your role may not do this' },
  ERR_FLEET_BAD_CREDENTIALS: { httpStatus: 401, message: 'wrong user name or password' },
  ERR_FLEET_CONFLICT: { httpStatus: 409, message: 'it exists already' },
  // Kiosks, alerts, enrolment
  ERR_FLEET_KIOSK_NOT_FOUND: { httpStatus: 404, message: 'no such kiosk' },
  ERR_FLEET_SCREENSHOT_NOT_FOUND: {
    httpStatus: 404,
    message: 'no screenshot of this kiosk (none taken, or it expired)',
  },
  ERR_FLEET_CONFIRMATION_REQUIRED: {
    httpStatus: 428,
    message: 'a disruptive command needs confirm: true or the kiosk or site id',
  },
  ERR_FLEET_SITE_NOT_FOUND: { httpStatus: 404, message: 'no such site' },
  ERR_FLEET_TILE_NOT_FOUND: { httpStatus: 404, message: 'no such map tile in dashboard.tileDir' },
  ERR_FLEET_ALERT_NOT_FOUND: { httpStatus: 404, message: 'no such open alert' },
  ERR_FLEET_SILENCE_NOT_FOUND: { httpStatus: 404, message: 'no such running silence' },
  ERR_FLEET_SILENCE_INVALID: { httpStatus: 400, message: 'a silence needs an expiry within 30 days' },
  ERR_FLEET_SILENCE_OUT_OF_SCOPE: { httpStatus: 403, message: 'that silence reaches past your scope' },
  ERR_FLEET_ENROLMENT_REFUSED: { httpStatus: 401, message: 'enrolment refused' },
  ERR_FLEET_RESERVED_KIOSK_ID: { httpStatus: 409, message: "that kiosk id is the fleet-server's own MQTT user" },
  ERR_FLEET_MQTT_PASSWORD_MISSING: { httpStatus: null, message: "the fleet-server's broker password is not set" },
  // Transport security, hardening, backups (docs/operations.md)
  ERR_FLEET_TLS_CONFIG: { httpStatus: null, message: 'the TLS settings are unusable' },
  ERR_FLEET_LOCKED_OUT: { httpStatus: 429, message: 'too many failures: locked for a while' },
  ERR_FLEET_RATE_LIMITED: { httpStatus: 429, message: 'too many requests from this address' },
  ERR_FLEET_USER_NOT_FOUND: { httpStatus: 404, message: 'no such user' },
  ERR_FLEET_PASSWORD_CHANGE_REQUIRED: { httpStatus: 403, message: 'choose your own password first' },
  ERR_FLEET_LAST_ADMIN: { httpStatus: 409, message: 'the last enabled admin must stay an enabled admin' },
  ERR_FLEET_SELF_LOCKOUT: { httpStatus: 409, message: 'you cannot disable yourself or drop your own admin role' },
  ERR_FLEET_UNKNOWN_DEPARTMENT: { httpStatus: 400, message: 'unknown department' },
  ERR_FLEET_UNKNOWN_SITE: { httpStatus: 400, message: 'unknown site' },
  ERR_FLEET_UNKNOWN_USER: { httpStatus: 400, message: 'unknown user' },
  // Citizen services (the services page)
  ERR_FLEET_SERVICE_NOT_FOUND: { httpStatus: 404, message: 'no such service' },
  ERR_FLEET_SERVICE_CATALOGUE_INVALID: { httpStatus: null, message: 'the service catalogue is unusable' },
  ERR_FLEET_REPORT_RANGE_INVALID: { httpStatus: 400, message: 'the report range is not valid' },
  ERR_FLEET_BACKUP_INVALID: { httpStatus: null, message: 'not a usable backup' },
  ERR_FLEET_RESTORE_NOT_EMPTY: { httpStatus: null, message: 'the database already holds fleet data' },
  // Update repository and artifacts
  ERR_FLEET_UPDATES_NOT_INITIALISED: { httpStatus: 503, message: 'the update repository is not initialised' },
  ERR_FLEET_UPDATE_METADATA_NOT_FOUND: { httpStatus: 404, message: 'no such metadata' },
  ERR_FLEET_UPDATE_TARGET_NOT_FOUND: { httpStatus: 404, message: 'no such target' },
  ERR_FLEET_UPDATE_PATH_OUTSIDE_VENDOR: { httpStatus: 422, message: "a target outside the vendor's paths" },
  ERR_FLEET_UPDATE_KEY_NOT_DELEGATED: { httpStatus: 422, message: 'signed with keys the vendor role does not list' },
  ERR_FLEET_UPDATE_UNKNOWN_VENDOR: { httpStatus: 422, message: 'no delegated role for that vendor' },
  ERR_FLEET_UPDATE_INVALID: { httpStatus: 422, message: 'invalid update repository input' },
  ERR_FLEET_UPDATE_REPOSITORY_STATE: { httpStatus: 503, message: 'the update repository is not in a state for this' },
  ERR_FLEET_UPDATE_VERSION_CONFLICT: { httpStatus: 409, message: 'the role moved on meanwhile' },
  ERR_FLEET_RANGE_NOT_SATISFIABLE: { httpStatus: 416, message: 'range outside the file' },
  ERR_FLEET_ARTIFACT_NOT_FOUND: { httpStatus: 404, message: 'no such artifact' },
  ERR_FLEET_ARTIFACT_EXISTS: { httpStatus: 409, message: 'the artifact exists' },
  ERR_FLEET_ARTIFACT_INVALID: { httpStatus: 400, message: 'invalid artifact' },
  ERR_FLEET_ARTIFACT_STATE: { httpStatus: 409, message: 'the artifact is not in a state for this' },
  ERR_FLEET_ARTIFACT_TOO_LARGE: { httpStatus: 413, message: 'the artifact is too large' },
  ERR_FLEET_APP_RELEASE_ADMIN_ONLY: { httpStatus: 403, message: 'kiosk app releases are pushed by an admin' },
  ERR_FLEET_VENDOR_FORBIDDEN: { httpStatus: 403, message: 'that vendor is outside your scope' },
  ERR_FLEET_VENDOR_MISMATCH: { httpStatus: 400, message: "vendor differs from the model's vendor" },
  ERR_FLEET_UNKNOWN_UPDATE_VENDOR: { httpStatus: 400, message: "the model's vendor has no signing keys" },
  ERR_FLEET_UNKNOWN_UPDATE_DEPARTMENT: {
    httpStatus: 400,
    message: "the catalogue bundle's department has no signing keys",
  },
  ERR_FLEET_UNKNOWN_DEVICE_MODEL: { httpStatus: 400, message: 'the device registry has no such model' },
  ERR_FLEET_MODEL_TAKES_NO_FIRMWARE: { httpStatus: 400, message: 'the model takes no firmware' },
  ERR_FLEET_MODEL_TAKES_NO_CONFIG: { httpStatus: 400, message: 'the model takes no config' },
  ERR_FLEET_UNKNOWN_MACHINE_TYPE: { httpStatus: 400, message: 'unknown machine type' },
  ERR_FLEET_UNKNOWN_HW_REVISION: { httpStatus: 400, message: 'unknown hardware revision' },
  ERR_FLEET_DEPARTMENT_FORBIDDEN: { httpStatus: 403, message: 'that department is not yours' },
  ERR_FLEET_UPLOAD_NOT_FOUND: { httpStatus: 404, message: 'no such upload' },
  ERR_FLEET_UPLOAD_OFFSET_MISMATCH: { httpStatus: 409, message: "Upload-Offset is not the server's offset" },
  ERR_FLEET_UPLOAD_BUSY: { httpStatus: 409, message: 'another PATCH to this upload is in progress' },
  ERR_FLEET_UPLOAD_EXPIRED: { httpStatus: 410, message: 'the upload expired' },
  ERR_FLEET_UPLOAD_TOO_LONG: { httpStatus: 413, message: 'the body went past Upload-Length' },
  ERR_FLEET_UPLOAD_CONTENT_TYPE: { httpStatus: 415, message: 'send the bytes as application/offset+octet-stream' },
  ERR_FLEET_SIGNATURES_REJECTED: { httpStatus: 422, message: "the vendor's signatures were rejected" },
  ERR_FLEET_SIGNING_REQUEST_STALE: { httpStatus: 409, message: 'the signing request is stale' },
  // Rollouts and maintenance schedules
  ERR_FLEET_ROLLOUT_NOT_FOUND: { httpStatus: 404, message: 'no such rollout' },
  ERR_FLEET_ROLLOUT_ARTIFACT_NOT_FOUND: { httpStatus: 404, message: 'no such artifact' },
  ERR_FLEET_ROLLOUT_ARTIFACT_NOT_READY: { httpStatus: 409, message: 'the artifact is not ready' },
  ERR_FLEET_ROLLOUT_BUNDLE_SUPERSEDED: {
    httpStatus: 409,
    message: 'a newer catalogue bundle of the department is published: revoke it to go back',
  },
  ERR_FLEET_ROLLOUT_INVALID: { httpStatus: 400, message: 'invalid rollout' },
  ERR_FLEET_ROLLOUT_EMPTY_SELECTION: { httpStatus: 409, message: 'no kiosk selected' },
  ERR_FLEET_ROLLOUT_BAD_TRANSITION: { httpStatus: 409, message: "the action does not apply in the rollout's status" },
  ERR_FLEET_ROLLOUT_SELF_APPROVAL: {
    httpStatus: 403,
    message: 'a rollout is approved by someone other than its creator',
  },
  ERR_FLEET_ROLLOUT_OUT_OF_SCOPE: { httpStatus: 403, message: 'the rollout targets kiosks outside your scope' },
  ERR_FLEET_ROLLOUT_SITE_NOT_FOUND: { httpStatus: 404, message: 'no such site' },
  ERR_FLEET_ROLLOUT_SCHEDULE_INVALID: { httpStatus: 400, message: 'invalid schedule' },
  ERR_FLEET_ROLLOUT_KIOSK_TIMEOUT: { httpStatus: null, message: 'the kiosk did not report in time' },
  ERR_FLEET_ROLLOUT_DEADLINE_PASSED: { httpStatus: null, message: 'the kiosk was not reached before the deadline' },
  ERR_FLEET_ROLLOUT_KIOSK_FAILED: { httpStatus: null, message: 'the kiosk reported failure without an error code' },
  ERR_FLEET_ROLLOUT_KIOSK_REFUSED: { httpStatus: null, message: 'the kiosk refused the update without an error code' },
} as const satisfies Record<`ERR_FLEET_${string}`, FleetErrorEntry>

export type FleetErrorCode = keyof typeof FLEET_ERRORS

export function isFleetErrorCode(code: string): code is FleetErrorCode {
  return Object.hasOwn(FLEET_ERRORS, code)
}

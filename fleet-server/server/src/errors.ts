/** Fleet-server error codes (ERR_FLEET_*), as HTTP bodies `{code, message}`; listed in docs/errors.md. */
export const FleetErrorCodes = {
  kioskNotFound: 'ERR_FLEET_KIOSK_NOT_FOUND',
  alertNotFound: 'ERR_FLEET_ALERT_NOT_FOUND',
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
} as const

/** Fleet-server error codes (ERR_FLEET_*), as HTTP bodies `{code, message}`; listed in docs/errors.md. */
export const FleetErrorCodes = {
  kioskNotFound: 'ERR_FLEET_KIOSK_NOT_FOUND',
  badRequest: 'ERR_FLEET_BAD_REQUEST',
  request: 'ERR_FLEET_REQUEST',
  internal: 'ERR_FLEET_INTERNAL',
} as const

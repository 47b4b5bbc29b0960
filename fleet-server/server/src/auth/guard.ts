import type { FastifyReply, FastifyRequest } from 'fastify'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { can, type Permission, type Principal } from './roles.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: resolved from the session cookie or a Bearer API token; null when anonymous. */
    principal: Principal | null
  }
}

/**
 * preValidation: 401 without a valid session or token, 403 when the role lacks the permission, 403
 * `ERR_FLEET_PASSWORD_CHANGE_REQUIRED` while the user holds a one-time password (only the routes that
 * say `whilePasswordChangeRequired` answer then: who am I, change my password).
 */
export function requirePermission(permission: Permission, options: { whilePasswordChangeRequired?: boolean } = {}) {
  return async (request: FastifyRequest, _reply?: FastifyReply) => {
    const principal = request.principal
    if (principal === null) throw new FleetError(FleetErrorCodes.unauthenticated, 'log in or send an API token')
    if (principal.mustChangePassword === true && options.whilePasswordChangeRequired !== true) {
      throw new FleetError(
        FleetErrorCodes.passwordChangeRequired,
        'your password was reset: choose your own (POST /api/me/password) first',
      )
    }
    if (!can(principal, permission)) {
      throw new FleetError(FleetErrorCodes.forbidden, `role ${principal.role} may not ${permission}`)
    }
  }
}

/** The principal of a request that passed `requirePermission`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('principalOf called on an unauthenticated request')
  return request.principal
}

import type { FastifyReply, FastifyRequest } from 'fastify'
import { FleetErrorCodes } from '../errors.ts'
import { can, type Permission, type Principal } from './roles.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: resolved from the session cookie or a Bearer API token; null when anonymous. */
    principal: Principal | null
  }
}

/** preValidation: 401 without a valid session or token, 403 when the role lacks the permission. */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal
    if (principal === null) {
      return reply.code(401).send({ code: FleetErrorCodes.unauthenticated, message: 'log in or send an API token' })
    }
    if (!can(principal, permission)) {
      return reply
        .code(403)
        .send({ code: FleetErrorCodes.forbidden, message: `role ${principal.role} may not ${permission}` })
    }
  }
}

/** The principal of a request that passed `requirePermission`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('principalOf called on an unauthenticated request')
  return request.principal
}

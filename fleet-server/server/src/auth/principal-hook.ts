import type { FastifyRequest } from 'fastify'
import { SESSION_COOKIE } from './auth-routes.ts'
import type { IdentityRepo } from './identity-repo.ts'

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i)
  return match?.[1]
}

/**
 * onRequest hook: sets `request.principal` from a Bearer API token or the session cookie. The app
 * adds it on the root (after `decorateRequest('principal', null)`), so every feature's routes see it.
 */
export function principalHook(identity: IdentityRepo) {
  return async (request: FastifyRequest): Promise<void> => {
    const secret = bearerToken(request.headers.authorization) ?? request.cookies[SESSION_COOKIE]
    request.principal = secret === undefined ? null : ((await identity.principalFor(secret)) ?? null)
  }
}

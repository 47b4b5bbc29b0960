import type { FastifyRequest } from 'fastify'
import type { KnownNames, NameRefs } from './known-names.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The departments, sites and users a write names (from its validated body and params): the app
     * refuses the request when one of them is unknown (known-names-hook.ts), before the handler runs.
     */
    knownNames?: (request: FastifyRequest) => NameRefs
  }
}

/**
 * preHandler on the root app: every route that declares `config.knownNames` has the names it
 * writes checked (ERR_FLEET_UNKNOWN_DEPARTMENT/_SITE/_USER). It runs after authorisation and
 * schema validation, so unauthorised callers learn nothing about which names exist.
 */
export function knownNamesHook(known: KnownNames) {
  return async (request: FastifyRequest): Promise<void> => {
    const refsOf = request.routeOptions.config.knownNames
    if (refsOf !== undefined) await known.assertKnown(refsOf(request))
  }
}

import type { FastifyReply } from 'fastify'

/**
 * Sends JSON already serialised (a shared view's answer): fastify sends a string typed
 * `application/json` as it is, so callers sharing an answer do not each serialise it again. The
 * route's response schema is not applied; it still documents the answer (OpenAPI).
 */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json').send(json)
}

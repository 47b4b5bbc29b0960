import { FLEET_ERRORS } from '@kiosk-fleet/protocol/http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { FleetError, FleetErrorCodes } from './errors.ts'

/**
 * One answer for every refusal: FleetError's code and catalog status; Fastify's own errors (schema
 * validation, bad content type) as ERR_FLEET_BAD_REQUEST / ERR_FLEET_REQUEST; the rest 500. The app's
 * error handler, and the one any harness serving the feature plugins without the app must use.
 */
export function fleetErrorHandler(error: FastifyError | FleetError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof FleetError) {
    if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed')
    return reply.code(error.statusCode).send({
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    })
  }
  const status = error.statusCode ?? 500
  if (status >= 500) request.log.error({ err: error }, 'request failed')
  const code = error.validation
    ? FleetErrorCodes.badRequest
    : status >= 500
      ? FleetErrorCodes.internal
      : FleetErrorCodes.request
  return reply.code(status).send({ code, message: status >= 500 ? FLEET_ERRORS[code].message : error.message })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { COMMAND_NAMES, type CommandName } from '@kiosk-fleet/protocol'
import { ErrorBody, KioskIdParams, KioskView } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { CommandSender } from '../commands/command-sender.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { KioskRepo } from './kiosk-repo.ts'

export interface KioskRoutesOptions {
  kiosks: KioskRepo
  commands: CommandSender
  audit: AuditLog
  commandDefaults: { timeoutMs: number; ttlMs: number }
}

const notFound = (id: string) => new FleetError(FleetErrorCodes.kioskNotFound, `no kiosk ${id}`)

export const kioskRoutes: FastifyPluginAsyncTypebox<KioskRoutesOptions> = async (
  app,
  { kiosks, commands, audit, commandDefaults },
) => {
  const readFleet = requirePermission('readFleet')

  app.get(
    '/api/kiosks',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Kiosks with their latest state and peripherals',
        querystring: Type.Object({
          site: Type.Optional(Type.String()),
          machineType: Type.Optional(Type.String()),
          department: Type.Optional(Type.String()),
          state: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')])),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 5000 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ kiosks: Type.Array(KioskView) }) },
      },
    },
    async (request) => ({
      kiosks: await kiosks.list(
        {
          siteId: request.query.site,
          machineType: request.query.machineType,
          department: request.query.department,
          state: request.query.state,
          limit: request.query.limit,
          offset: request.query.offset,
        },
        principalOf(request),
      ),
    }),
  )

  app.get(
    '/api/kiosks/:id',
    { preValidation: readFleet, schema: { params: KioskIdParams, response: { 200: KioskView, 404: ErrorBody } } },
    async (request, _reply) => {
      const kiosk = await kiosks.get(request.params.id, principalOf(request))
      if (kiosk === undefined) throw notFound(request.params.id)
      return kiosk
    },
  )

  app.get(
    '/api/kiosks/:id/health',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Health history, newest first',
        params: KioskIdParams,
        querystring: Type.Object({
          since: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
        }),
        response: {
          200: Type.Object({
            history: Type.Array(
              Type.Object({
                seq: Type.Number(),
                ts: Type.Union([Type.String(), Type.Null()]),
                receivedAt: Type.Union([Type.String(), Type.Null()]),
                health: Type.Unknown(),
              }),
            ),
          }),
          404: ErrorBody,
        },
      },
    },
    async (request, _reply) => {
      if ((await kiosks.get(request.params.id, principalOf(request))) === undefined) {
        throw notFound(request.params.id)
      }
      return { history: await kiosks.healthHistory(request.params.id, request.query) }
    },
  )

  app.get(
    '/api/kiosks/:id/events',
    {
      preValidation: readFleet,
      schema: {
        params: KioskIdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) }),
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                seq: Type.Number(),
                ts: Type.Union([Type.String(), Type.Null()]),
                type: Type.String(),
                deviceId: Type.Union([Type.String(), Type.Null()]),
                event: Type.Unknown(),
              }),
            ),
            presence: Type.Array(
              Type.Object({
                state: Type.String(),
                session: Type.Number(),
                reason: Type.Union([Type.String(), Type.Null()]),
                ts: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          404: ErrorBody,
        },
      },
    },
    async (request, _reply) => {
      if ((await kiosks.get(request.params.id, principalOf(request))) === undefined) {
        throw notFound(request.params.id)
      }
      return {
        events: await kiosks.events(request.params.id, request.query.limit),
        presence: await kiosks.presence(request.params.id, request.query.limit),
      }
    },
  )

  app.post(
    '/api/kiosks/:id/commands/:command',
    {
      // The right first, before the body is looked at; then an empty POST is a command with default timeout and expiry.
      preValidation: [
        requirePermission('commandKiosks'),
        async (request) => {
          request.body ??= {}
        },
      ],
      schema: {
        summary: 'Send a command and wait for the kiosk to answer',
        params: Type.Object({
          id: KioskIdParams.properties.id,
          command: Type.Union(COMMAND_NAMES.map((c) => Type.Literal(c))),
        }),
        body: Type.Object(
          {
            timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
            ttlMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
            params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the command's params" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            transaction: Type.String(),
            status: Type.String(),
            data: Type.Optional(Type.Unknown()),
            error: Type.Optional(ErrorBody),
          }),
          400: ErrorBody,
          404: ErrorBody,
          504: Type.Object({ transaction: Type.String(), status: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const { id, command } = request.params
      const body = request.body ?? {}
      const principal = principalOf(request)
      if ((await kiosks.get(id, principal)) === undefined) throw notFound(id)
      const params = body.params ?? {}
      const problems = commands.checkParams(command as CommandName, params)
      if (problems.length > 0) {
        throw new FleetError(FleetErrorCodes.badRequest, `params: ${problems.join('; ')}`)
      }
      const outcome = await commands.send(id, command as CommandName, params as never, {
        timeoutMs: body.timeoutMs ?? commandDefaults.timeoutMs,
        ttlMs: body.ttlMs ?? commandDefaults.ttlMs,
      })
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: `command.${command}`,
        target: id,
        outcome: outcome.status,
        details: { transaction: outcome.transaction, ...(outcome.error ? { error: outcome.error.code } : {}) },
      })
      if (outcome.status === 'timeout')
        return reply.code(504).send({ transaction: outcome.transaction, status: 'timeout' })
      return outcome
    },
  )
}

import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { COMMAND_NAMES, type CommandName } from '@kiosk-fleet/protocol'
import {
  BatchCommandResult,
  CommandConfirm,
  CommandOutcomeView,
  CommandRecordView,
  CommandTarget,
  ErrorBody,
  KioskIdParams,
  KioskPage,
  KioskView,
} from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { CommandQueue } from '../commands/command-queue.ts'
import type { CommandSender } from '../commands/command-sender.ts'
import {
  isQueueable,
  type RemoteCommandOptions,
  requireCommandRight,
  requireConfirmation,
  runRemoteCommand,
  summarise,
} from '../commands/remote-commands.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { type KioskRepo, visibleDevices } from './kiosk-repo.ts'

export interface KioskRoutesOptions {
  kiosks: KioskRepo
  commands: CommandSender
  commandQueue: CommandQueue
  audit: AuditLog
  commandDefaults: CommandDefaults
}

export interface CommandDefaults {
  timeoutMs: number
  ttlMs: number
  /** How long a command to an offline kiosk stays queued unless the request says otherwise. */
  queueTtlMs: number
}

const CommandName_ = Type.Union(COMMAND_NAMES.map((c) => Type.Literal(c)))

/** Body fields shared by the one-kiosk and the site/list command routes. */
const commandBodyFields = {
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
  ttlMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the command's params" })),
  confirm: CommandConfirm,
  queueTtlMs: Type.Optional(
    Type.Integer({
      minimum: 1000,
      maximum: 7 * 86_400_000,
      description: 'an offline kiosk: how long the command waits for it to return (default commands.queueTtlMs)',
    }),
  ),
  queue: Type.Optional(
    Type.Boolean({ default: true, description: 'false: an offline kiosk is sent the command anyway, not queued' }),
  ),
}

/** The body fields that say how long a command waits, lives and queues. */
type CommandTimes = { timeoutMs?: number; ttlMs?: number; queueTtlMs?: number; queue?: boolean }

const notFound = (id: string) => new FleetError(FleetErrorCodes.kioskNotFound, `no kiosk ${id}`)

export const kioskRoutes: FastifyPluginAsyncTypebox<KioskRoutesOptions> = async (
  app,
  { kiosks, commands, commandQueue, audit, commandDefaults },
) => {
  const readFleet = requirePermission('readFleet')
  /** The command's params, checked against its schema: 400 with every problem. */
  const checkedParams = (command: CommandName, params: Record<string, unknown> = {}) => {
    const problems = commands.checkParams(command, params)
    if (problems.length > 0) throw new FleetError(FleetErrorCodes.badRequest, `params: ${problems.join('; ')}`)
    return params
  }
  /** How long a command waits for answers, lives at the kiosk and waits queued for an offline one: the body's or the defaults. */
  const runOptions = (command: CommandName, body: CommandTimes, requestedBy: string): RemoteCommandOptions => ({
    timeoutMs: body.timeoutMs ?? commandDefaults.timeoutMs,
    ttlMs: body.ttlMs ?? commandDefaults.ttlMs,
    queueTtlMs:
      body.queue === false || !isQueueable(command) ? undefined : (body.queueTtlMs ?? commandDefaults.queueTtlMs),
    requestedBy,
  })

  app.get(
    '/api/kiosks',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Search and filter kiosks: one page, with the count of all matches',
        querystring: Type.Object({
          q: Type.Optional(
            Type.String({ maxLength: 100, description: 'part of the kiosk id, site name, town or county' }),
          ),
          site: Type.Optional(Type.String()),
          county: Type.Optional(Type.String()),
          town: Type.Optional(Type.String()),
          machineType: Type.Optional(Type.String()),
          department: Type.Optional(Type.String()),
          state: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')])),
          appVersion: Type.Optional(Type.String()),
          firmware: Type.Optional(Type.String({ description: 'a peripheral with this firmware' })),
          fault: Type.Optional(Type.Boolean({ description: 'true: a peripheral in fault; false: none' })),
          serviceUnavailable: Type.Optional(
            Type.Boolean({ description: 'true: a citizen service unavailable; false: every service available' }),
          ),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 5000 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: KioskPage },
      },
    },
    async (request) => {
      const { site, limit, offset, ...filter } = request.query
      const page = await kiosks.list({ ...filter, siteId: site }, principalOf(request), { limit, offset })
      return { ...page, limit, offset }
    },
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
      const principal = principalOf(request)
      const kiosk = await kiosks.get(request.params.id, principal)
      if (kiosk === undefined) throw notFound(request.params.id)
      const devices = visibleDevices(principal, kiosk)
      return { history: await kiosks.healthHistory(request.params.id, { ...request.query, devices }) }
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
      const principal = principalOf(request)
      const kiosk = await kiosks.get(request.params.id, principal)
      if (kiosk === undefined) throw notFound(request.params.id)
      return {
        events: await kiosks.events(request.params.id, request.query.limit, visibleDevices(principal, kiosk)),
        presence: await kiosks.presence(request.params.id, request.query.limit),
      }
    },
  )

  app.get(
    '/api/kiosks/:id/commands',
    {
      preValidation: readFleet,
      schema: {
        summary: "The kiosk's command log, newest first: queued, sent, answered and expired commands",
        params: KioskIdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
        response: { 200: Type.Object({ commands: Type.Array(CommandRecordView) }), 404: ErrorBody },
      },
    },
    async (request) => {
      if ((await kiosks.get(request.params.id, principalOf(request))) === undefined) throw notFound(request.params.id)
      return { commands: await commandQueue.history(request.params.id, request.query.limit) }
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
        summary: 'Send a command and wait for the kiosk to answer; an offline kiosk gets it queued (202)',
        params: Type.Object({ id: KioskIdParams.properties.id, command: CommandName_ }),
        body: Type.Object(commandBodyFields, { additionalProperties: false }),
        response: {
          200: CommandOutcomeView,
          202: CommandOutcomeView,
          400: ErrorBody,
          404: ErrorBody,
          428: ErrorBody,
          504: Type.Object({ transaction: Type.String(), status: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const { id, command } = request.params
      const body = request.body ?? {}
      const principal = principalOf(request)
      requireCommandRight(command, principal)
      const kiosk = await kiosks.get(id, principal)
      if (kiosk === undefined) throw notFound(id)
      const params = checkedParams(command as CommandName, body.params)
      requireConfirmation(command, body.confirm, [id])
      const [outcome] = await runRemoteCommand(
        { sender: commands, queue: commandQueue },
        [kiosk],
        command as CommandName,
        params,
        runOptions(command as CommandName, body, principal.userId),
      )
      if (outcome === undefined) throw new FleetError(FleetErrorCodes.internal)
      const { kioskId: _, ...answer } = outcome
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: `command.${command}`,
        target: id,
        // Queued: the request is recorded; its outcome lands in the command log when the kiosk returns.
        outcome: answer.status === 'queued' ? 'ok' : (answer.status as 'ok' | 'error' | 'timeout'),
        details: {
          transaction: answer.transaction,
          ...(answer.status === 'queued' ? { queued: true, expiresAt: answer.expiresAt } : {}),
          ...(answer.error ? { error: answer.error.code } : {}),
        },
      })
      if (answer.status === 'timeout')
        return reply.code(504).send({ transaction: answer.transaction, status: 'timeout' })
      if (answer.status === 'queued') return reply.code(202).send(answer)
      return answer
    },
  )

  app.post(
    '/api/commands/:command',
    {
      preValidation: requirePermission('commandKiosks'),
      schema: {
        summary:
          'Send a command to every kiosk of a site or of a list: online kiosks answer, offline ones get it queued',
        params: Type.Object({ command: CommandName_ }),
        body: Type.Object({ target: CommandTarget, ...commandBodyFields }, { additionalProperties: false }),
        response: { 200: BatchCommandResult, 400: ErrorBody, 404: ErrorBody, 428: ErrorBody },
      },
    },
    async (request) => {
      const { command } = request.params
      const body = request.body
      const principal = principalOf(request)
      requireCommandRight(command, principal)
      const { target } = body
      if ((target.siteId === undefined) === (target.kioskIds === undefined)) {
        throw new FleetError(FleetErrorCodes.badRequest, 'target: give either siteId or kioskIds')
      }
      let targets: KioskView[]
      let targetLabel: string
      if (target.siteId !== undefined) {
        // A site holds a few kiosks; 5000 is the list's own page limit.
        targets = (await kiosks.list({ siteId: target.siteId }, principal, { limit: 5000, offset: 0 })).kiosks
        if (targets.length === 0) {
          throw new FleetError(FleetErrorCodes.siteNotFound, `no kiosk of site ${target.siteId} in your scope`)
        }
        targetLabel = `site:${target.siteId}`
      } else {
        const ids = target.kioskIds ?? []
        targets = await kiosks.getMany(ids, principal)
        const found = new Set(targets.map((k) => k.id))
        const missing = ids.filter((id) => !found.has(id))
        if (missing.length > 0) throw new FleetError(FleetErrorCodes.kioskNotFound, `no kiosk ${missing.join(', ')}`)
        targetLabel = `kiosks:${ids.length}`
      }
      const params = checkedParams(command as CommandName, body.params)
      requireConfirmation(command, body.confirm, target.siteId === undefined ? [] : [target.siteId])
      const batch = randomUUID()
      const outcomes = await runRemoteCommand(
        { sender: commands, queue: commandQueue },
        targets,
        command as CommandName,
        params,
        { ...runOptions(command as CommandName, body, principal.userId), batchId: batch },
      )
      const summary = summarise(outcomes)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: `command.${command}`,
        target: targetLabel,
        outcome: summary.ok + summary.queued === summary.total ? 'ok' : 'failed',
        details: { batch, summary, kiosks: outcomes.map((o) => o.kioskId) },
      })
      return { batch, command, summary, kiosks: outcomes }
    },
  )
}

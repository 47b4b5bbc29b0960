import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MachineType } from '@kiosk-fleet/protocol'
import { ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { KIOSK_STATES, ROLLOUT_STATUSES } from './kiosk-states.ts'
import type { RolloutAction, RolloutService } from './rollout-service.ts'

export interface RolloutRoutesOptions {
  rollouts: RolloutService
}

const Name = Type.String({ minLength: 1, maxLength: 64 })
const Names = Type.Array(Name, { maxItems: 500 })

export const TargetFilterBody = Type.Object(
  {
    machineTypes: Type.Optional(Type.Array(MachineType, { maxItems: 10 })),
    departments: Type.Optional(Names),
    sites: Type.Optional(Names),
    deviceModels: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), { maxItems: 50 })),
    firmware: Type.Optional(Names),
    appVersions: Type.Optional(Names),
  },
  { additionalProperties: false },
)

export const GroupBody = Type.Union([
  Type.Object({ count: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }),
  Type.Object({ percent: Type.Number({ exclusiveMinimum: 0, maximum: 100 }) }, { additionalProperties: false }),
])

const Groups = Type.Array(GroupBody, { minItems: 1, maxItems: 20 })
const ArtifactId = Type.String({ minLength: 1, maxLength: 128 })

export const CreateRolloutBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    artifactId: ArtifactId,
    filter: Type.Optional(TargetFilterBody),
    groups: Groups,
    successThreshold: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    errorThreshold: Type.Number({ minimum: 0, maximum: 1 }),
    errorMinSample: Type.Integer({ minimum: 1 }),
    installMode: Type.Union([Type.Literal('window'), Type.Literal('immediate')]),
    kioskTimeoutMs: Type.Integer({ minimum: 60_000, maximum: 30 * 24 * 3_600_000 }),
    continuous: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const PreviewBody = Type.Object(
  { artifactId: ArtifactId, filter: Type.Optional(TargetFilterBody), groups: Type.Optional(Groups) },
  { additionalProperties: false },
)

/** The departments and sites a rollout's target names: a mistyped one is refused, not matched to nothing. */
const targetNames = (request: FastifyRequest) => {
  const { filter } = request.body as { filter?: { departments?: string[]; sites?: string[] } }
  return { departments: filter?.departments, sites: filter?.sites }
}

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }) })
const ActionParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
  action: Type.Union([
    Type.Literal('approve'),
    Type.Literal('start'),
    Type.Literal('pause'),
    Type.Literal('resume'),
    Type.Literal('abort'),
  ]),
})
const ActionBody = Type.Optional(
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
)
// Bodies of 2xx answers are documented by their TypeScript types (RolloutDetail …); errors are `{code, message}`.
const errors = {
  200: Type.Unknown(),
  201: Type.Unknown(),
  400: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
}

/** Staged rollouts (docs/updates.md "Rollouts"). */
export const rolloutRoutes: FastifyPluginAsyncTypebox<RolloutRoutesOptions> = async (app, { rollouts }) => {
  const readFleet = requirePermission('readFleet')
  const manage = requirePermission('manageRollouts')

  app.post(
    '/api/rollouts/preview',
    {
      preValidation: manage,
      schema: {
        summary: 'How many kiosks a rollout would select, by group, and why others are excluded',
        body: PreviewBody,
        response: errors,
      },
      config: { knownNames: targetNames },
    },
    async (request, _reply) =>
      rollouts.preview(principalOf(request), { ...request.body, groups: request.body.groups ?? [{ percent: 100 }] }),
  )

  app.post(
    '/api/rollouts',
    {
      preValidation: manage,
      schema: { summary: 'Create a rollout (awaiting approval)', body: CreateRolloutBody, response: errors },
      config: { knownNames: targetNames },
    },
    async (request, reply) => {
      const created = await rollouts.create(principalOf(request), request.body, request.ip)
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/api/rollouts',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Rollouts touching kiosks in your scope, newest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Union(ROLLOUT_STATUSES.map((s) => Type.Literal(s)))),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
      },
    },
    async (request) => ({ rollouts: await rollouts.list(principalOf(request), request.query) }),
  )

  app.get(
    '/api/rollouts/:id',
    {
      preValidation: readFleet,
      schema: { summary: 'A rollout with per-group counts by state', params: IdParams, response: errors },
    },
    async (request, _reply) => rollouts.detail(principalOf(request), request.params.id),
  )

  app.get(
    '/api/rollouts/:id/kiosks',
    {
      preValidation: readFleet,
      schema: {
        summary: "A rollout's kiosks (in your scope) with their state",
        params: IdParams,
        querystring: Type.Object({
          group: Type.Optional(Type.Integer({ minimum: 0 })),
          state: Type.Optional(Type.Union(KIOSK_STATES.map((s) => Type.Literal(s)))),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: errors,
      },
    },
    async (request, _reply) => ({
      kiosks: await rollouts.kiosks(principalOf(request), request.params.id, request.query),
    }),
  )

  app.post(
    '/api/rollouts/:id/:action',
    {
      // approve needs approveRollouts; the others manageRollouts (both: admin and department users).
      preValidation: async (request) => {
        const { action } = request.params as { action: RolloutAction }
        await requirePermission(action === 'approve' ? 'approveRollouts' : 'manageRollouts')(request)
      },
      schema: {
        summary: 'approve (not by its creator), start, pause, resume or abort a rollout',
        params: ActionParams,
        body: ActionBody,
        response: errors,
      },
    },
    async (request, _reply) =>
      rollouts.act(principalOf(request), request.params.id, request.params.action, {
        reason: request.body?.reason,
        ip: request.ip,
      }),
  )
}

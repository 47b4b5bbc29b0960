import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { NotifySettingsSchema } from './alert-config.ts'
import type { AlertEngine } from './alert-engine.ts'
import { ALERT_RULES } from './alert-rules.ts'
import { type NotifySettingsStore, redacted } from './notify-settings.ts'
import type { SilenceStore } from './silence-store.ts'

export interface AlertOpsRoutesOptions {
  db: Queryable
  silences: SilenceStore
  settings: NotifySettingsStore
  engine: AlertEngine
  audit: AuditLog
  now?: () => number
}

const SilenceView = Type.Object({
  id: Type.Number(),
  kioskId: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  rule: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  startsAt: Type.String(),
  expiresAt: Type.String(),
  endedBy: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
})
const SilenceBody = Type.Object(
  {
    kioskId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    rule: Type.Optional(Type.Union(ALERT_RULES.map((r) => Type.Literal(r)))),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    startsAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** Either an end time or a duration; at most 30 days. */
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    durationMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 30 * 86_400_000 })),
  },
  { additionalProperties: false },
)
const MAX_SILENCE_MS = 30 * 86_400_000
const Problem = Type.Object({ code: Type.String(), message: Type.String() })

/**
 * Where a principal may silence: an admin anything (fleet-wide too); a site user its sites and their
 * kiosks; a department user its departments' kiosks. A silence never reaches past one's scope.
 */
async function checkScope(db: Queryable, p: Principal, body: { kioskId?: string; siteId?: string }): Promise<void> {
  if (p.role === 'admin') return
  const refuse = (why: string) => {
    throw new FleetError(FleetErrorCodes.silenceOutOfScope, why)
  }
  if (body.kioskId === undefined) {
    if (p.role === 'site' && body.siteId !== undefined && p.sites.includes(body.siteId)) return
    refuse('name a kiosk (or, as a site user, one of your sites): only an admin silences more')
  }
  const [k] = await db.query<{ department: string | null; site_id: string | null }>(
    'SELECT department, site_id FROM kiosks WHERE id = $1',
    [body.kioskId],
  )
  const inScope =
    k !== undefined &&
    (body.siteId === undefined || body.siteId === k.site_id) &&
    ((p.role === 'site' && k.site_id !== null && p.sites.includes(k.site_id)) ||
      (p.role === 'department' && k.department !== null && p.departments.includes(k.department)))
  if (!inScope) refuse(`kiosk ${body.kioskId} is not in your scope`)
}

/** Silences, the suppressions in force, and notification settings changeable at runtime. */
export const alertOpsRoutes: FastifyPluginAsyncTypebox<AlertOpsRoutesOptions> = async (app, o) => {
  const now = o.now ?? Date.now

  app.get(
    '/api/alerts/silences',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary:
          'Silences, running ones by default (`all=true` for ended and expired ones too): fleet-wide ones and those of kiosks and sites in scope',
        querystring: Type.Object({
          all: Type.Boolean({ default: false }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
        response: { 200: Type.Object({ silences: Type.Array(SilenceView) }) },
      },
    },
    async (request) => ({
      silences: await o.silences.list({
        active: !request.query.all,
        limit: request.query.limit,
        kioskScope: kioskScope(principalOf(request), 4),
      }),
    }),
  )

  app.post(
    '/api/alerts/silences',
    {
      preValidation: requirePermission('manageAlerts'),
      schema: {
        summary: 'Silence alerts of a kiosk, a site and/or a rule until an expiry, with a reason (audited)',
        body: SilenceBody,
        response: { 201: SilenceView, 400: Problem, 403: Problem },
      },
      config: {
        knownNames: (request) => {
          const { siteId, kioskId } = request.body as { siteId?: string; kioskId?: string }
          // Only an admin's names are checked here: other roles' kiosk and site are checked against their
          // scope, whose answer does not tell an unknown name from one outside it.
          if (request.principal?.role !== 'admin') return {}
          return { sites: siteId === undefined ? [] : [siteId], kiosks: kioskId === undefined ? [] : [kioskId] }
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const b = request.body
      const startsAt = b.startsAt === undefined ? now() : Date.parse(b.startsAt)
      const expiresAt =
        b.expiresAt !== undefined ? Date.parse(b.expiresAt) : b.durationMs !== undefined ? startsAt + b.durationMs : NaN
      if (!Number.isFinite(expiresAt)) {
        throw new FleetError(FleetErrorCodes.silenceInvalid, 'give expiresAt or durationMs: a silence always ends')
      }
      if (expiresAt <= Math.max(startsAt, now()) || expiresAt - startsAt > MAX_SILENCE_MS) {
        throw new FleetError(
          FleetErrorCodes.silenceInvalid,
          'expiresAt must be in the future and within 30 days of the start',
        )
      }
      await checkScope(o.db, principal, b)
      const silence = await o.silences.create(
        { kioskId: b.kioskId, siteId: b.siteId, rule: b.rule, reason: b.reason, startsAt, expiresAt },
        principal.userId,
      )
      await o.audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'alert.silence',
        target: String(silence.id),
        outcome: 'ok',
        details: {
          kioskId: silence.kioskId,
          siteId: silence.siteId,
          rule: silence.rule,
          reason: silence.reason,
          expiresAt: silence.expiresAt,
        },
      })
      void o.engine.evaluate()
      return reply.code(201).send(silence)
    },
  )

  app.delete(
    '/api/alerts/silences/:id',
    {
      preValidation: requirePermission('manageAlerts'),
      schema: {
        summary: 'End a silence before it expires (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: SilenceView, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const existing = await o.silences.get(request.params.id)
      if (existing === undefined) {
        throw new FleetError(FleetErrorCodes.silenceNotFound, `no silence ${request.params.id}`)
      }
      await checkScope(o.db, principal, {
        ...(existing.kioskId === null ? {} : { kioskId: existing.kioskId }),
        ...(existing.siteId === null ? {} : { siteId: existing.siteId }),
      })
      const ended = await o.silences.end(request.params.id, principal.userId)
      if (ended === undefined) {
        throw new FleetError(FleetErrorCodes.silenceNotFound, `silence ${request.params.id} already ended or expired`)
      }
      await o.audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'alert.unsilence',
        target: String(ended.id),
        outcome: 'ok',
      })
      void o.engine.evaluate()
      return ended
    },
  )

  app.get(
    '/api/alerts/suppressions',
    {
      preValidation: requirePermission('operate'),
      schema: {
        summary:
          'Conditions held back at the last evaluation and why: silenced, maintenance, closure, closed (outside opening hours)',
        querystring: Type.Object({ kiosk: Type.Optional(Type.String()) }),
      },
    },
    async (request) => ({ kiosks: o.engine.suppressions(request.query.kiosk) }),
  )

  app.get(
    '/api/alerts/settings',
    {
      preValidation: requirePermission('operate'),
      schema: { summary: 'Notification settings in force (secrets shown only as set)' },
    },
    async () => redacted(await o.settings.current()),
  )

  app.put(
    '/api/alerts/settings',
    {
      preValidation: requirePermission('operate'),
      schema: {
        summary: 'Change notification routes, grouping, retries and escalation at runtime, without a restart (audited)',
        body: NotifySettingsSchema,
      },
    },
    async (request) => {
      const principal = principalOf(request)
      await o.settings.put(request.body, principal.userId)
      await o.audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'alert.settings',
        outcome: 'ok',
        details: { routes: request.body.routes.length, escalation: request.body.escalation !== undefined },
      })
      return redacted(await o.settings.current())
    },
  )
}

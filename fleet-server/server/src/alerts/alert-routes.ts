import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AlertPage, AlertView, ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { AlertEngine } from './alert-engine.ts'
import { ALERT_STATE_FILTERS, type AlertRepo } from './alert-repo.ts'

export interface AlertRoutesOptions {
  alerts: AlertRepo
  engine: AlertEngine
  audit: AuditLog
}

const AlertId = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const notFound = (id: number) => new FleetError(FleetErrorCodes.alertNotFound, `no open alert ${id}`)

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, { alerts, engine, audit }) => {
  app.get(
    '/api/alerts',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Alerts within your scope, most severe and newest first: one page, with the count of all matches',
        querystring: Type.Object({
          state: Type.Union(
            ALERT_STATE_FILTERS.map((s) => Type.Literal(s)),
            { default: 'open' },
          ),
          kiosk: Type.Optional(Type.String()),
          site: Type.Optional(Type.String()),
          rule: Type.Optional(Type.String()),
          severity: Type.Optional(Type.Union(['info', 'warning', 'critical'].map((s) => Type.Literal(s)))),
          from: Type.Optional(Type.String({ format: 'date-time', description: 'raised at or after' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'raised before' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: AlertPage },
      },
    },
    async (request) => {
      const { state, kiosk, site, rule, severity, from, to, limit, offset } = request.query
      const page = await alerts.list(
        principalOf(request),
        { state, kioskId: kiosk, siteId: site, rule, severity, from, to },
        { limit, offset },
      )
      return { ...page, limit, offset }
    },
  )

  app.post(
    '/api/alerts/:id/ack',
    {
      preValidation: requirePermission('manageAlerts'),
      schema: {
        summary: 'Acknowledge an alert (resolves a latched one whose condition cleared)',
        params: AlertId,
        response: { 200: AlertView, 404: ErrorBody },
      },
    },
    async (request, _reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      if ((await alerts.get(principal, id)) === undefined) throw notFound(id)
      const event = await engine.acknowledge(id, principal.userId)
      if (event === undefined) throw notFound(id)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'alert.ack',
        target: String(id),
        outcome: 'ok',
      })
      return event.alert
    },
  )

  app.post(
    '/api/alerts/:id/assign',
    {
      preValidation: requirePermission('manageAlerts'),
      schema: {
        summary: 'Assign an alert to a user (null to unassign)',
        params: AlertId,
        body: Type.Object(
          { userId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) },
          { additionalProperties: false },
        ),
        response: { 200: AlertView, 400: ErrorBody, 404: ErrorBody },
      },
      config: {
        knownNames: (request) => {
          const { userId } = request.body as { userId: string | null }
          return { users: userId === null ? undefined : [userId] }
        },
      },
    },
    async (request, _reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      if ((await alerts.get(principal, id)) === undefined) throw notFound(id)
      const alert = await engine.assign(id, request.body.userId)
      if (alert === undefined) throw notFound(id)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'alert.assign',
        target: String(id),
        outcome: 'ok',
        details: { assignedTo: request.body.userId },
      })
      return alert
    },
  )
}

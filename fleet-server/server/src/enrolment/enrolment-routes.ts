import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@kiosk-fleet/protocol'
import { ErrorBody, KioskIdParams } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import type { AuthThrottle } from '../auth/auth-throttle.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { Enrolment } from './enrolment.ts'

export interface EnrolmentRoutesOptions {
  enrolment: Enrolment
  audit: AuditLog
  /** The broker URL kiosks are told to connect to; unset when the fleet does not know it (route tests). */
  brokerUrl?: string | undefined
  /** The CA certificate (PEM) kiosks verify the broker with, handed out with the credentials. */
  brokerCa?: string | undefined
  /** Lockout with backoff per kiosk id (`enrol:<id>`); unset in route tests that do not look at it. */
  throttle?: AuthThrottle | undefined
  /** Requests per minute and client address on `POST /api/enrol`. */
  enrolPerMinute?: number
  /** MQTT user names that are not kiosks (the fleet-server's own): never issued to a kiosk. */
  reservedUsernames: readonly string[]
  defaultTtlMs: number
}

const MAX_TTL_MS = 30 * 24 * 3_600_000

/**
 * Provisioning (README "Broker security and enrolment"): an admin creates a one-time token for a
 * kiosk id; the kiosk trades it once for its MQTT user name and password. Both steps are audited,
 * refused trades too.
 */
export const enrolmentRoutes: FastifyPluginAsyncTypebox<EnrolmentRoutesOptions> = async (app, options) => {
  const { enrolment, audit } = options

  app.post(
    '/api/kiosks/:id/enrolment',
    {
      // The right first, before the body is looked at; then an empty POST is a token with the default lifetime.
      preValidation: [
        requirePermission('manageKiosks'),
        async (request) => {
          request.body ??= {}
        },
      ],
      schema: {
        summary: 'Create a one-time enrolment token for a kiosk (replaces its unused tokens)',
        params: KioskIdParams,
        body: Type.Object(
          { ttlMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: MAX_TTL_MS })) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ kioskId: Type.String(), token: Type.String(), expiresAt: Type.String() }),
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const kioskId = request.params.id
      const entry = { actor: principal.userId, role: principal.role, ip: request.ip, target: kioskId }
      if (options.reservedUsernames.includes(kioskId)) {
        await audit.append({
          ...entry,
          action: 'kiosk.enrolment.create',
          outcome: 'denied',
          details: { reason: 'reserved' },
        })
        throw new FleetError(FleetErrorCodes.reservedKioskId, `${kioskId} is the fleet-server's MQTT user name`)
      }
      const ticket = await enrolment.createToken({
        kioskId,
        createdBy: principal.userId,
        ttlMs: request.body.ttlMs ?? options.defaultTtlMs,
      })
      await audit.append({
        ...entry,
        action: 'kiosk.enrolment.create',
        outcome: 'ok',
        details: { enrolmentId: ticket.id, expiresAt: ticket.expiresAt },
      })
      return reply.code(201).send({ kioskId, token: ticket.token, expiresAt: ticket.expiresAt })
    },
  )

  app.post(
    '/api/enrol',
    {
      schema: {
        summary: 'A kiosk trades its one-time enrolment token for its MQTT credentials (public; shown once)',
        security: [],
        body: Type.Object({
          kioskId: Type.String({ pattern: ID_PATTERN }),
          token: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: {
          200: Type.Object({
            kioskId: Type.String(),
            mqtt: Type.Object({
              url: Type.Optional(Type.String()),
              username: Type.String(),
              password: Type.String(),
              ca: Type.Optional(Type.String({ description: "PEM of the CA that signed the broker's certificate" })),
            }),
          }),
          401: ErrorBody,
          429: ErrorBody,
        },
      },
      config: { rateLimit: { max: options.enrolPerMinute ?? 30, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { kioskId, token } = request.body
      const entry = { actor: `kiosk:${kioskId}`, role: 'kiosk', ip: request.ip, action: 'kiosk.enrol', target: kioskId }
      const key = `enrol:${kioskId}`
      const lock = await options.throttle?.state(key)
      if (lock?.locked === true) {
        const retryAfterS = Math.ceil(lock.retryAfterMs / 1000)
        await audit.append({ ...entry, outcome: 'denied', details: { reason: 'locked', retryAfterS } })
        return reply
          .code(429)
          .header('retry-after', String(retryAfterS))
          .send({
            code: FleetErrorCodes.lockedOut,
            message: `too many refused enrolments: try again in ${retryAfterS} s`,
          })
      }
      const result = options.reservedUsernames.includes(kioskId)
        ? ({ ok: false, reason: 'reserved' } as const)
        : await enrolment.redeem(kioskId, token)
      if (!result.ok) {
        const failed = await options.throttle?.failed(key)
        await audit.append({
          ...entry,
          outcome: 'denied',
          details: { reason: result.reason, ...(failed === undefined ? {} : { failures: failed.failures }) },
        })
        throw new FleetError(
          FleetErrorCodes.enrolmentRefused,
          'enrolment refused: the token is wrong, used or expired; ask for a new one',
        )
      }
      await options.throttle?.succeeded(key)
      await audit.append({ ...entry, outcome: 'ok', details: { enrolmentId: result.enrolmentId } })
      return {
        kioskId,
        mqtt: {
          ...(options.brokerUrl === undefined ? {} : { url: options.brokerUrl }),
          username: kioskId,
          password: result.password,
          ...(options.brokerCa === undefined ? {} : { ca: options.brokerCa }),
        },
      }
    },
  )
}

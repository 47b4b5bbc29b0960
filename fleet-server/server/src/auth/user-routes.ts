import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { FleetError, FleetErrorCodes, isFleetError } from '../errors.ts'
import { loginKey, ScopeList, SESSION_COOKIE, scopeNames, UserView } from './auth-routes.ts'
import type { AuthThrottle } from './auth-throttle.ts'
import { principalOf, requirePermission } from './guard.ts'
import type { IdentityRepo } from './identity-repo.ts'
import { ROLES } from './roles.ts'

export interface UserRoutesOptions {
  identity: IdentityRepo
  audit: AuditLog
  throttle: AuthThrottle
}

const UserParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }) })
const Password = Type.String({ minLength: 12, maxLength: 256 })
const Ok = Type.Object({ status: Type.Literal('ok') })

/**
 * Account care (README "Users"): admins change a user's role and scope, disable and re-enable users,
 * set or reset a password, lift a lockout; every user changes their own password. All audited;
 * passwords never in the audit trail. Nobody can lock the fleet out of user management: an admin
 * cannot disable or demote themselves, and the last enabled admin stays one.
 */
export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesOptions> = async (app, options) => {
  const { identity, audit, throttle } = options
  const notFound = (id: string) => ({ code: FleetErrorCodes.userNotFound, message: `no user ${id}` })

  app.patch(
    '/api/users/:id',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary:
          "Change a user's name, role or scope, or disable / re-enable them (disabling ends their sessions; their API tokens stop working)",
        params: UserParams,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)))),
            departments: ScopeList,
            sites: ScopeList,
            vendors: ScopeList,
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('ok'), user: UserView }),
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
      config: { knownNames: (request) => scopeNames(request.body) },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      const change = request.body
      const action =
        change.disabled === true
          ? 'user.disable'
          : change.disabled === false && Object.keys(change).length === 1
            ? 'user.enable'
            : 'user.update'
      const entry = { actor: principal.userId, role: principal.role, ip: request.ip, target: id, action }
      const deny = async (reason: string) => audit.append({ ...entry, outcome: 'denied', details: { reason } })
      const dropsOwnAdmin = change.disabled === true || (change.role !== undefined && change.role !== 'admin')
      if (id === principal.userId && dropsOwnAdmin) {
        await deny('self')
        throw new FleetError(FleetErrorCodes.selfLockout, 'you cannot disable yourself or drop your own admin role')
      }
      let user: Awaited<ReturnType<IdentityRepo['updateUser']>>
      try {
        user = await identity.updateUser(id, change)
      } catch (err) {
        if (isFleetError(err, FleetErrorCodes.lastAdmin)) await deny('lastAdmin')
        throw err
      }
      if (user === undefined) return reply.code(404).send(notFound(id))
      await audit.append({ ...entry, outcome: 'ok', details: { ...change } })
      return { status: 'ok' as const, user }
    },
  )

  app.post(
    '/api/users/:id/reset-password',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary:
          'Reset a password to a one-time password, shown once: the user must choose their own at the next login (their sessions end, a lockout is lifted)',
        params: UserParams,
        response: { 200: Type.Object({ status: Type.Literal('ok'), oneTimePassword: Type.String() }), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      const oneTimePassword = await identity.resetPassword(id)
      if (oneTimePassword === undefined) return reply.code(404).send(notFound(id))
      await throttle.succeeded(loginKey(id))
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'user.password.reset',
        target: id,
        outcome: 'ok',
      })
      return { status: 'ok' as const, oneTimePassword }
    },
  )

  app.post(
    '/api/users/:id/password',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary: "Set a user's password (ends their sessions; a lockout on the name is lifted)",
        params: UserParams,
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 200: Ok, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      if (!(await identity.setPassword(id, request.body.password))) return reply.code(404).send(notFound(id))
      await throttle.succeeded(loginKey(id))
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'user.password.set',
        target: id,
        outcome: 'ok',
      })
      return { status: 'ok' as const }
    },
  )

  app.post(
    '/api/users/:id/unlock',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary: 'Lift a login lockout on a user name',
        params: UserParams,
        response: { 200: Type.Object({ status: Type.Literal('ok'), wasLocked: Type.Boolean() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const wasLocked = await throttle.clear(loginKey(request.params.id))
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'user.unlock',
        target: request.params.id,
        outcome: 'ok',
        details: { wasLocked },
      })
      return { status: 'ok' as const, wasLocked }
    },
  )

  app.post(
    '/api/me/password',
    {
      preValidation: requirePermission('readFleet', { whilePasswordChangeRequired: true }),
      schema: {
        summary: 'Change your own password (your other sessions end)',
        body: Type.Object({ currentPassword: Type.String({ maxLength: 256 }), newPassword: Password }),
        response: { 200: Ok, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const key = loginKey(principal.userId)
      const entry = {
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'user.password.change',
        target: principal.userId,
      }
      const lock = await throttle.state(key)
      if (lock.locked) {
        await audit.append({ ...entry, outcome: 'denied', details: { reason: 'locked' } })
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(lock.retryAfterMs / 1000)))
          .send({ code: FleetErrorCodes.lockedOut, message: 'too many failed attempts: try again later' })
      }
      // The current password guards a stolen session; wrong guesses count toward the lockout.
      if ((await identity.checkPassword(principal.userId, request.body.currentPassword)) === undefined) {
        await throttle.failed(key)
        await audit.append({ ...entry, outcome: 'denied', details: { reason: 'badCredentials' } })
        return reply.code(401).send({ code: FleetErrorCodes.badCredentials, message: 'the current password is wrong' })
      }
      await identity.setPassword(principal.userId, request.body.newPassword, request.cookies[SESSION_COOKIE])
      await throttle.succeeded(key)
      await audit.append({ ...entry, outcome: 'ok' })
      return { status: 'ok' as const }
    },
  )
}

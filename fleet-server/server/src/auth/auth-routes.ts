import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VENDOR_ID_PATTERN } from '@kiosk-fleet/protocol'
import { ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { AuthThrottle } from './auth-throttle.ts'
import { principalOf, requirePermission } from './guard.ts'
import type { IdentityRepo } from './identity-repo.ts'
import { ROLES } from './roles.ts'

export const SESSION_COOKIE = 'fleet_session'

export interface AuthRoutesOptions {
  identity: IdentityRepo
  audit: AuditLog
  sessionTtlMs: number
  secureCookies: boolean
  /** Lockout with backoff per user name (auth-throttle.ts). */
  throttle: AuthThrottle
  /** Requests per minute and client address on `POST /api/login` (@fastify/rate-limit). */
  loginPerMinute: number
}

/** `login:<name>`: the throttle key of a user name (unknown names too, so answers reveal nothing). */
export const loginKey = (username: string): string => `login:${username.toLowerCase()}`

export const PrincipalView = Type.Object({
  userId: Type.String(),
  displayName: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  departments: Type.Array(Type.String()),
  sites: Type.Array(Type.String()),
  vendors: Type.Array(Type.String()),
  /** True after an admin reset the password: choose your own before anything else. */
  mustChangePassword: Type.Optional(Type.Boolean()),
})

/** A user on the users screen. */
export const UserView = Type.Composite([
  PrincipalView,
  Type.Object({ disabled: Type.Boolean(), mustChangePassword: Type.Boolean(), createdAt: Type.String() }),
])

const UserName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' })
export const ScopeList = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }))

/** The departments and sites a user's scope names (checked against the known ones, known-names-hook.ts). */
export const scopeNames = (body: unknown) => {
  const { departments, sites } = body as { departments?: string[]; sites?: string[] }
  return { departments, sites }
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { identity, audit } = options

  app.post(
    '/api/login',
    {
      schema: {
        summary: 'Log in; sets an httpOnly session cookie',
        body: Type.Object({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 256 }) }),
        response: { 200: Type.Object({ user: PrincipalView }), 401: ErrorBody, 429: ErrorBody },
      },
      config: { rateLimit: { max: options.loginPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { username, password } = request.body
      const key = loginKey(username)
      // While locked, the password is not even checked: the right one fails like a wrong one.
      const lock = await options.throttle.state(key)
      if (lock.locked) {
        const retryAfterS = Math.ceil(lock.retryAfterMs / 1000)
        await audit.append({
          actor: username,
          ip: request.ip,
          action: 'login',
          outcome: 'denied',
          details: { reason: 'locked', retryAfterS },
        })
        return reply
          .code(429)
          .header('retry-after', String(retryAfterS))
          .send({ code: FleetErrorCodes.lockedOut, message: `too many failed logins: try again in ${retryAfterS} s` })
      }
      const principal = await identity.checkPassword(username, password)
      if (principal === undefined) {
        const { failures, lockMs } = await options.throttle.failed(key)
        await audit.append({
          actor: username,
          ip: request.ip,
          action: 'login',
          outcome: 'denied',
          details: {
            reason: 'badCredentials',
            failures,
            ...(lockMs > 0 ? { lockedForS: Math.ceil(lockMs / 1000) } : {}),
          },
        })
        throw new FleetError(FleetErrorCodes.badCredentials, 'wrong user name or password')
      }
      await options.throttle.succeeded(key)
      const secret = await identity.createSession(principal.userId, options.sessionTtlMs, request.ip)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'login',
        outcome: 'ok',
      })
      reply.setCookie(SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: 'strict',
        // Secure whenever the request came over TLS (directly, or https at a trusted proxy).
        secure: options.secureCookies || request.protocol === 'https',
        path: '/',
        maxAge: Math.floor(options.sessionTtlMs / 1000),
      })
      return { user: principal }
    },
  )

  app.post('/api/logout', { schema: { summary: 'End the session' } }, async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE]
    if (secret !== undefined) await identity.endSession(secret)
    if (request.principal !== null) {
      await audit.append({
        actor: request.principal.userId,
        role: request.principal.role,
        ip: request.ip,
        action: 'logout',
        outcome: 'ok',
      })
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return { status: 'ok' }
  })

  app.get(
    '/api/me',
    {
      preValidation: requirePermission('readFleet', { whilePasswordChangeRequired: true }),
      schema: { response: { 200: Type.Object({ user: PrincipalView }) } },
    },
    async (request) => ({ user: principalOf(request) }),
  )

  app.post(
    '/api/tokens',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Create an API token for the CLI; the token is shown once',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
        }),
        response: { 200: Type.Object({ id: Type.String(), token: Type.String() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const { name, ttlDays } = request.body
      const created = await identity.createApiToken(
        principal.userId,
        name,
        ttlDays === undefined ? undefined : ttlDays * 86_400_000,
      )
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'token.create',
        target: created.id,
        outcome: 'ok',
        details: { name },
      })
      return created
    },
  )

  app.get(
    '/api/users',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary: 'Every user with role, scope, whether disabled and whether a one-time password is pending',
        response: { 200: Type.Object({ users: Type.Array(UserView) }) },
      },
    },
    async () => ({ users: await identity.listUsers() }),
  )

  app.post(
    '/api/users',
    {
      preValidation: requirePermission('manageUsers'),
      schema: {
        summary: 'Create a user with a role and its scope',
        body: Type.Object(
          {
            id: UserName,
            displayName: Type.String({ minLength: 1, maxLength: 100 }),
            password: Type.String({ minLength: 12, maxLength: 256 }),
            role: Type.Union(ROLES.map((r) => Type.Literal(r))),
            departments: ScopeList,
            sites: ScopeList,
            /** Canonical vendor ids (`epson`, not `Epson`): the same id uploads firmware and sees the devices. */
            vendors: Type.Optional(
              Type.Array(Type.String({ pattern: VENDOR_ID_PATTERN, maxLength: 64 }), { maxItems: 200 }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: PrincipalView }), 400: ErrorBody, 409: ErrorBody },
      },
      config: { knownNames: (request) => scopeNames(request.body) },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { password: _secret, ...described } = request.body
      try {
        const user = await identity.createUser(request.body)
        await audit.append({
          actor: principal.userId,
          role: principal.role,
          ip: request.ip,
          action: 'user.create',
          target: user.userId,
          outcome: 'ok',
          details: described,
        })
        return reply.code(201).send({ user })
      } catch (err) {
        if ((err as { code?: string }).code !== '23505') throw err
        throw new FleetError(FleetErrorCodes.conflict, `user ${request.body.id} exists`)
      }
    },
  )
}

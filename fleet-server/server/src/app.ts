import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyError, type FastifyPluginAsync, LogController } from 'fastify'
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { AlertEngine } from './alerts/alert-engine.ts'
import { AlertRepo } from './alerts/alert-repo.ts'
import { alertRoutes } from './alerts/alert-routes.ts'
import type { AuditLog } from './audit/audit-log.ts'
import { auditRoutes } from './audit/audit-routes.ts'
import { authRoutes, SESSION_COOKIE } from './auth/auth-routes.ts'
import { AuthThrottle, DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from './auth/auth-throttle.ts'
import { requirePermission } from './auth/guard.ts'
import type { IdentityRepo } from './auth/identity-repo.ts'
import { userRoutes } from './auth/user-routes.ts'
import type { CommandSender } from './commands/command-sender.ts'
import type { Database } from './db/database.ts'
import { Enrolment } from './enrolment/enrolment.ts'
import { enrolmentRoutes } from './enrolment/enrolment-routes.ts'
import { FleetErrorCodes, FleetHttpError } from './errors.ts'
import type { Ingestor } from './ingest/ingestor.ts'
import { KioskRepo } from './kiosks/kiosk-repo.ts'
import { kioskRoutes } from './kiosks/kiosk-routes.ts'
import type { LiveHub } from './live/live-hub.ts'
import { createFleetMetrics } from './metrics/fleet-metrics.ts'
import { opsRoutes } from './ops/ops-routes.ts'
import { helmetOptions, rateLimitOptions } from './security/http-security.ts'
import { metricsGuard } from './security/metrics-access.ts'
import { artifactRoutes } from './updates/artifact-routes.ts'
import { updateRepoRoutes } from './updates/update-repo-routes.ts'
import type { UpdateRuntime } from './updates/update-runtime.ts'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard', import.meta.url))

export interface AppDependencies {
  db: Database
  ingestor: Ingestor
  commands: CommandSender
  live: LiveHub
  identity: IdentityRepo
  audit: AuditLog
  alerts: AlertEngine
  mqttConnected: () => boolean
  commandDefaults: { timeoutMs: number; ttlMs: number }
  auth: {
    sessionTtlMs: number
    secureCookies: boolean
    /** Lockout with backoff (default: 5 free failures, then 30 s doubling to 1 h). */
    lockout?: Omit<ThrottlePolicy, 'forgetAfterMs'>
    loginPerMinute?: number
    enrolPerMinute?: number
  }
  dashboard: { tileUrl?: string | undefined }
  logger: Logger
  /** HTTPS certificate and key, and the reverse proxies whose X-Forwarded-* are believed (docs/operations.md). */
  http?: { https?: { cert: Buffer; key: Buffer } | undefined; trustProxy?: string | undefined }
  /** Who may read /metrics on this listener; `ownListener`: it is served elsewhere (security/metrics-access.ts). */
  metrics?: { token?: string | undefined; ownListener?: boolean; registry?: Registry }
  /** Kiosk enrolment: the broker URL (and CA) handed to kiosks and MQTT user names no kiosk may take. */
  enrolment?: { brokerUrl: string; brokerCa?: string | undefined; reservedUsernames: string[]; defaultTtlMs: number }
  /** Signed updates (repository, artifacts); no update routes when undefined. */
  updates?: UpdateRuntime | undefined
  /** Rollout and schedule routes (rollouts/index.ts); none when rollouts are disabled. */
  rollouts?: FastifyPluginAsync | undefined
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i)
  return match?.[1]
}

/** Builds the HTTP app without listening (tests use `app.inject()`). */
export async function buildApp(deps: AppDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ mod: 'fleet.http' }),
    logController: new LogController({ disableRequestLogging: true }),
    ...(deps.http?.https === undefined ? {} : { https: deps.http.https }),
    ...(deps.http?.trustProxy === undefined ? {} : { trustProxy: deps.http.trustProxy }),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof FleetHttpError) {
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
    return reply.code(status).send({ code, message: status >= 500 ? 'internal error' : error.message })
  })

  // Security headers on every response; rate limits on the routes that ask (login, enrolment).
  await app.register(fastifyHelmet, helmetOptions(deps.dashboard.tileUrl))
  await app.register(fastifyRateLimit, rateLimitOptions(deps.audit))
  await app.register(fastifyCookie)
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Kiosk fleet API',
        version: '1',
        description: 'Fleet state, remote commands and audit. Log in (cookie) or send `Authorization: Bearer <token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true })

  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => {
    const secret = bearerToken(request.headers.authorization) ?? request.cookies[SESSION_COOKIE]
    request.principal = secret === undefined ? null : ((await deps.identity.principalFor(secret)) ?? null)
  })

  const metrics =
    deps.metrics?.registry ??
    createFleetMetrics({ ingestor: deps.ingestor, db: deps.db, mqttConnected: deps.mqttConnected })
  if (deps.metrics?.ownListener !== true) {
    app.get(
      '/metrics',
      { schema: { hide: true }, preValidation: metricsGuard(deps.metrics?.token) },
      async (_request, reply) => {
        reply.header('content-type', metrics.contentType)
        return metrics.metrics()
      },
    )
  }

  const updates = deps.updates
  if (updates !== undefined) {
    registerUpdateMetrics(metrics, updates)
    const notInitialised = () => {
      const repo = updates.repository()
      return typeof repo === 'string' ? repo : undefined
    }
    await app.register(updateRepoRoutes, {
      store: updates.store,
      blobs: updates.store.blobs,
      service: updates.service,
      artifacts: updates.artifacts,
      notInitialised,
    })
    await app.register(artifactRoutes, { service: updates.service, artifacts: updates.artifacts })
  }

  if (deps.rollouts !== undefined) await app.register(deps.rollouts)

  const { lockout, loginPerMinute, enrolPerMinute, ...session } = deps.auth
  const throttle = new AuthThrottle(deps.db, { ...DEFAULT_THROTTLE_POLICY, ...lockout })
  await app.register(authRoutes, {
    identity: deps.identity,
    audit: deps.audit,
    throttle,
    loginPerMinute: loginPerMinute ?? 20,
    ...session,
  })
  await app.register(userRoutes, { identity: deps.identity, audit: deps.audit, throttle })
  await app.register(auditRoutes, { audit: deps.audit })
  await app.register(enrolmentRoutes, {
    enrolment: new Enrolment(deps.db),
    audit: deps.audit,
    brokerUrl: deps.enrolment?.brokerUrl,
    brokerCa: deps.enrolment?.brokerCa,
    throttle,
    enrolPerMinute: enrolPerMinute ?? 30,
    reservedUsernames: deps.enrolment?.reservedUsernames ?? [],
    defaultTtlMs: deps.enrolment?.defaultTtlMs ?? 24 * 3_600_000,
  })
  await app.register(alertRoutes, { alerts: new AlertRepo(deps.db), engine: deps.alerts, audit: deps.audit })
  await app.register(kioskRoutes, {
    kiosks: new KioskRepo(deps.db),
    commands: deps.commands,
    audit: deps.audit,
    commandDefaults: deps.commandDefaults,
  })
  await app.register(opsRoutes, {
    db: deps.db,
    ingestor: deps.ingestor,
    live: deps.live,
    mqttConnected: deps.mqttConnected,
  })
  app.get(
    '/api/dashboard-config',
    { preValidation: requirePermission('readFleet'), schema: { hide: true } },
    async () => ({
      ...(deps.dashboard.tileUrl === undefined ? {} : { tileUrl: deps.dashboard.tileUrl }),
    }),
  )
  await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/' })
  // The chart library, served from its npm package (no CDN: kiosks' networks are closed).
  await app.register(fastifyStatic, {
    root: dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js')),
    prefix: '/vendor/uplot/',
    decorateReply: false,
  })
  return app
}

function registerUpdateMetrics(registry: ReturnType<typeof createFleetMetrics>, updates: UpdateRuntime): void {
  new Counter({
    name: 'fleet_tuf_resigned_total',
    help: 'targets/snapshot/timestamp metadata re-signed before expiry',
    labelNames: ['role'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const stats = updates.refresher?.stats
      this.inc({ role: 'targets' }, stats?.resigned.targets ?? 0)
      this.inc({ role: 'snapshot' }, stats?.resigned.snapshot ?? 0)
      this.inc({ role: 'timestamp' }, stats?.resigned.timestamp ?? 0)
    },
  })
  new Counter({
    name: 'fleet_tuf_refresh_failures_total',
    help: 'failed checks/re-signing of TUF metadata expiry',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(updates.refresher?.stats.failures ?? 0)
    },
  })
  new Gauge({
    name: 'fleet_tuf_root_expiry_timestamp_seconds',
    help: 'when the TUF root expires (only the offline root keys renew it), as of the last refresh',
    registers: [registry],
    collect() {
      const expires = updates.refresher?.stats.rootExpires
      this.set(expires === undefined ? 0 : Date.parse(expires) / 1000)
    },
  })
  new Gauge({
    name: 'fleet_tuf_vendor_role_expiry_timestamp_seconds',
    help: "when each vendor's TUF role expires (only the vendor's keys renew it), as of the last refresh",
    labelNames: ['vendor'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const expiries = updates.refresher?.stats.vendorRoleExpires ?? {}
      for (const [vendor, expires] of Object.entries(expiries)) this.set({ vendor }, Date.parse(expires) / 1000)
    },
  })
  new Gauge({
    name: 'fleet_tuf_repository_ready',
    help: '1 when the update repository is initialised and its online keys loaded',
    registers: [registry],
    collect() {
      this.set(typeof updates.repository() === 'string' ? 0 : 1)
    },
  })
}

export type FleetApp = Awaited<ReturnType<typeof buildApp>>

import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { BaseMapView } from '@kiosk-fleet/protocol/http'
import Fastify, { type FastifyPluginAsync, LogController } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { AlertEngine } from './alerts/alert-engine.ts'
import { alertsPlugin } from './alerts/alerts-plugin.ts'
import type { AuditLog } from './audit/audit-log.ts'
import { auditPlugin } from './audit/audit-plugin.ts'
import { authPlugin } from './auth/auth-plugin.ts'
import { SESSION_COOKIE } from './auth/auth-routes.ts'
import { AuthThrottle, DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from './auth/auth-throttle.ts'
import type { IdentityRepo } from './auth/identity-repo.ts'
import { principalHook } from './auth/principal-hook.ts'
import { userRoutes } from './auth/user-routes.ts'
import type { CommandQueue } from './commands/command-queue.ts'
import type { CommandSender } from './commands/command-sender.ts'
import type { ScreenshotStore } from './commands/screenshot-store.ts'
import type { Database } from './db/database.ts'
import { enrolmentPlugin } from './enrolment/enrolment-plugin.ts'
import { fleetErrorHandler } from './error-handler.ts'
import type { Ingestor } from './ingest/ingestor.ts'
import type { CommandDefaults } from './kiosks/kiosk-routes.ts'
import { kiosksPlugin } from './kiosks/kiosks-plugin.ts'
import { KnownNames } from './known-names/known-names.ts'
import { knownNamesHook } from './known-names/known-names-hook.ts'
import type { LiveHub } from './live/live-hub.ts'
import { mapRoutes } from './map/map-routes.ts'
import { createFleetMetrics } from './metrics/fleet-metrics.ts'
import { httpMetricsHook } from './metrics/http-metrics.ts'
import { opsPlugin } from './ops/ops-plugin.ts'
import { paperRoutes } from './paper/paper-routes.ts'
import { helmetOptions, rateLimitOptions } from './security/http-security.ts'
import type { CatalogueProvider } from './services/catalogue-dir.ts'
import { servicesPlugin } from './services/services-plugin.ts'
import { registerUpdateMetrics } from './updates/update-metrics.ts'
import type { UpdateRuntime } from './updates/update-runtime.ts'
import { updatesPlugin } from './updates/updates-plugin.ts'
import { vendorsPlugin } from './vendors/vendors-plugin.ts'
import type { SharedViews } from './views/shared-views.ts'

export { DASHBOARD_DIR } from './ops/dashboard-routes.ts'

export interface DashboardDependencies {
  baseMap: BaseMapView
  tileDir?: string | undefined
}

export interface AppDependencies {
  db: Database
  ingestor: Ingestor
  commands: CommandSender
  /** Commands waiting for offline kiosks (commands/command-queue.ts). */
  commandQueue: CommandQueue
  /** Kiosks' latest screenshots (commands/screenshot-store.ts). */
  screenshots: ScreenshotStore
  live: LiveHub
  identity: IdentityRepo
  audit: AuditLog
  alerts: AlertEngine
  mqttConnected: () => boolean
  commandDefaults: CommandDefaults
  auth: {
    sessionTtlMs: number
    secureCookies: boolean
    /** Lockout with backoff (default: 5 free failures, then 30 s doubling to 1 h). */
    lockout?: Omit<ThrottlePolicy, 'forgetAfterMs'>
    loginPerMinute?: number
    enrolPerMinute?: number
  }
  /** The site map's base map (map/base-map.ts resolveBaseMap) and, for `folder`, the tiles' directory. */
  dashboard: DashboardDependencies
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
  /** Silences, suppressions and runtime notification settings (alerts/alert-module.ts). */
  alertOps?: FastifyPluginAsync | undefined
  /** The citizen service catalogue the services page names services from (fleet-server.ts: `services.catalogueDir`). */
  catalogue: CatalogueProvider
  /** Time source of the services page's window (tests); `Date.now` when unset. */
  clock?: () => number
  /**
   * The overview, sites, site tree and map, shared per scope for a short while (views/shared-views.ts,
   * fleet-server.ts; route tests share for 0 ms, i.e. read fresh).
   */
  views: SharedViews
}

/**
 * Builds the HTTP app without listening (tests use `app.inject()`): error handler, cookies, OpenAPI,
 * who is calling, then one plugin per feature (each feature folder's `*-plugin.ts`).
 */
export async function buildApp(deps: AppDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ mod: 'fleet.http' }),
    logController: new LogController({ disableRequestLogging: true }),
    ...(deps.http?.https === undefined ? {} : { https: deps.http.https }),
    ...(deps.http?.trustProxy === undefined ? {} : { trustProxy: deps.http.trustProxy }),
  }).withTypeProvider<TypeBoxTypeProvider>()

  // One answer for every refusal (error-handler.ts).
  app.setErrorHandler(fleetErrorHandler)

  // Security headers on every response; rate limits on the routes that ask (login, enrolment).
  await app.register(fastifyHelmet, helmetOptions(deps.dashboard.baseMap))
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
  app.addHook('onRequest', principalHook(deps.identity))
  // A write naming an unknown department, site or user is refused (routes' `config.knownNames`).
  app.addHook('preHandler', knownNamesHook(new KnownNames({ db: deps.db, catalogue: deps.catalogue })))

  const metrics =
    deps.metrics?.registry ??
    createFleetMetrics({ ingestor: deps.ingestor, db: deps.db, mqttConnected: deps.mqttConnected })
  app.addHook('onResponse', httpMetricsHook(metrics))
  if (deps.updates !== undefined) {
    registerUpdateMetrics(metrics, deps.updates)
    await app.register(updatesPlugin, { updates: deps.updates })
  }
  if (deps.rollouts !== undefined) await app.register(deps.rollouts)
  const { lockout, loginPerMinute, enrolPerMinute, ...session } = deps.auth
  const throttle = new AuthThrottle(deps.db, { ...DEFAULT_THROTTLE_POLICY, ...lockout })
  await app.register(authPlugin, {
    identity: deps.identity,
    audit: deps.audit,
    throttle,
    loginPerMinute: loginPerMinute ?? 20,
    ...session,
  })
  await app.register(userRoutes, { identity: deps.identity, audit: deps.audit, throttle })
  await app.register(auditPlugin, { audit: deps.audit })
  await app.register(enrolmentPlugin, {
    db: deps.db,
    audit: deps.audit,
    settings: deps.enrolment,
    throttle,
    enrolPerMinute: enrolPerMinute ?? 30,
  })
  await app.register(alertsPlugin, { db: deps.db, engine: deps.alerts, audit: deps.audit })
  if (deps.alertOps !== undefined) await app.register(deps.alertOps)
  await app.register(kiosksPlugin, {
    db: deps.db,
    commands: deps.commands,
    commandQueue: deps.commandQueue,
    audit: deps.audit,
    commandDefaults: deps.commandDefaults,
    screenshots: deps.screenshots,
    views: deps.views,
  })
  await app.register(servicesPlugin, { db: deps.db, catalogue: deps.catalogue, now: deps.clock ?? Date.now })
  await app.register(vendorsPlugin, { db: deps.db, now: deps.clock ?? Date.now })
  await app.register(paperRoutes, { db: deps.db, now: deps.clock ?? Date.now })
  await app.register(mapRoutes, { map: deps.views.map, tileDir: deps.dashboard.tileDir })
  await app.register(opsPlugin, {
    db: deps.db,
    ingestor: deps.ingestor,
    live: deps.live,
    mqttConnected: deps.mqttConnected,
    metrics,
    metricsAccess: { token: deps.metrics?.token, ownListener: deps.metrics?.ownListener === true },
    dashboard: { baseMap: deps.dashboard.baseMap },
  })
  return app
}

export type FleetApp = Awaited<ReturnType<typeof buildApp>>

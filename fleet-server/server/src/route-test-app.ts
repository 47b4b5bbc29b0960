// Test support for route tests (imported only by *.test.ts): a real app on in-memory PGlite, seeded
// with two kiosks and one user per role, and a command transport that answers like a kiosk.
import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { AlertEngine } from './alerts/alert-engine.ts'
import { createAlertModule } from './alerts/alert-module.ts'
import type { NotificationStats } from './alerts/alert-notifier.ts'
import { DEFAULT_ALERT_POLICY } from './alerts/alert-rules.ts'
import { buildApp, type DashboardDependencies, type FleetApp } from './app.ts'
import { AuditLog } from './audit/audit-log.ts'
import { IdentityRepo } from './auth/identity-repo.ts'
import type { Role } from './auth/roles.ts'
import { CommandQueue } from './commands/command-queue.ts'
import { CommandSender } from './commands/command-sender.ts'
import { ScreenshotStore } from './commands/screenshot-store.ts'
import { loadFleetConfig } from './config/load-fleet-config.ts'
import type { Database } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { openPgliteDatabase } from './db/pglite-database.ts'
import { emptyBatch } from './ingest/ingest-batch.ts'
import { IngestStore } from './ingest/ingest-store.ts'
import { Ingestor } from './ingest/ingestor.ts'
import { KioskRepo } from './kiosks/kiosk-repo.ts'
import { LiveHub } from './live/live-hub.ts'
import { resolveBaseMap } from './map/base-map.ts'
import { createFleetMetrics } from './metrics/fleet-metrics.ts'
import { createRolloutService } from './rollouts/index.ts'
import { DEFAULT_CATALOGUE_DIR, loadCatalogueDir } from './services/catalogue-dir.ts'
import { createSharedViews, type SharedViews } from './views/shared-views.ts'

export const PASSWORD = 'correct horse battery'
/** The Prometheus scrape token of route tests (`metrics.token`). */
export const METRICS_TOKEN = 'route-test-scrape-token'
export const USERS: Record<Role, { id: string; departments?: string[]; sites?: string[]; vendors?: string[] }> = {
  admin: { id: 'ada' },
  department: { id: 'dora', departments: ['public-security'] },
  site: { id: 'sam', sites: ['site-b'] },
  vendor: { id: 'vic', vendors: ['epson'] },
  auditor: { id: 'aud' },
}

export interface RouteTestApp {
  app: FleetApp
  db: Database
  audit: AuditLog
  published: { topic: string; payload: string }[]
  commands: CommandSender
  commandQueue: CommandQueue
  /** The app's ingestor (real store on the same database), for tests that feed it messages. */
  ingestor: Ingestor
  /** The overview, sites, site tree and map as the routes read them (tests call `invalidate()` as fleet-server.ts does). */
  views: SharedViews
  /** Cookie header of a logged-in session per role. */
  cookies: Record<Role, string>
  close(): Promise<void>
}

export interface RouteTestAppOptions {
  /** The app's time source (the services page's window); `Date.now` when unset. */
  clock?: () => number
  /** Also serve the rollout routes (no engine ticking) and the silence routes, as fleet-server.ts wires them. */
  rolloutsAndSilences?: boolean
  /** An alert notifier whose deliveries `/metrics` counts (fleet_alert_notifications_total). */
  notifications?: { readonly stats: NotificationStats }
  /** The site map's base map and tile folder (default: no base map). */
  dashboard?: DashboardDependencies
  /** How long callers of one scope share the views' answers (default 0: fresh for every request). */
  sharedViewsMaxAgeMs?: number
}

/** A 1×1 PNG, the picture the test app's kiosks answer `screenshot` with. */
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

export async function createRouteTestApp(options: RouteTestAppOptions = {}): Promise<RouteTestApp> {
  const logger = pino({ level: 'silent' })
  const codecs = createCodecs()
  const db = await openPgliteDatabase(undefined)
  await migrate(db, logger)

  const batch = emptyBatch()
  const at = 1_764_000_000_000
  const kioskA = sampleBirth({ kioskId: 'kiosk-a' })
  const kioskB = sampleBirth({
    kioskId: 'kiosk-b',
    machineType: 'tax',
    department: 'tax',
    site: { ...sampleBirth().site, id: 'site-b', name: '柳湾村便民服务站', kind: 'villageStation' },
    peripherals: [
      { deviceId: 'a4', deviceClass: 'documentPrinter', vendor: 'HP', model: 'M404', serial: 'X1', firmware: '2.1' },
    ],
  })
  for (const birth of [kioskA, kioskB]) {
    batch.births.push({ kioskId: birth.kioskId, payload: birth, receivedAt: at })
    batch.states.push({ kioskId: birth.kioskId, payload: { state: 'online', session: 1, ts: at }, receivedAt: at })
  }
  batch.health.push({ kioskId: 'kiosk-a', payload: sampleHealth(), receivedAt: at })
  await new IngestStore(db).writeBatch(batch)

  const identity = new IdentityRepo(db)
  for (const [role, user] of Object.entries(USERS) as [Role, (typeof USERS)[Role]][]) {
    await identity.createUser({ ...user, displayName: user.id, password: PASSWORD, role })
  }

  const published: { topic: string; payload: string }[] = []
  const commands: CommandSender = new CommandSender({
    publish: async (topic, payload) => {
      published.push({ topic, payload })
      // Answer `ping` and `screenshot` as a kiosk would, through the response path the MQTT client uses.
      const command = topic.endsWith('/ping') ? 'ping' : topic.endsWith('/screenshot') ? 'screenshot' : undefined
      if (command === undefined) return
      const [, , kioskId] = topic.split('/')
      const { transaction } = JSON.parse(payload) as { transaction: string }
      const data =
        command === 'ping'
          ? { receivedAt: 1, appVersion: '0.1.0' }
          : { taken: true, takenAt: at, mimeType: 'image/png', width: 1, height: 1, image: ONE_PIXEL_PNG }
      const response = { transaction, ts: 1, status: 'ok', data }
      queueMicrotask(() =>
        commands.handleResponse(kioskId ?? '', command, new TextEncoder().encode(JSON.stringify(response))),
      )
    },
    codecs,
    db,
    logger,
    onUnwaitedResponse: (kioskId, _command, outcome) => commandQueue.onResponse(kioskId, outcome),
    keep: (kioskId, command, outcome, requestedBy) =>
      command === 'screenshot' ? screenshots.keep(kioskId, outcome, requestedBy) : Promise.resolve(outcome),
  })
  const screenshots = new ScreenshotStore({ db, keepMs: 60_000 })
  const commandQueue = new CommandQueue({
    db,
    publish: (row) => commands.publishRequest(row),
    logger,
    answerTimeoutMs: 300,
    sweepMs: 60_000,
  })
  const audit = new AuditLog(db)
  const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
  // The clock just after the seeded reports: kiosk-a's receipt printer is low on paper (alert 1).
  const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger, now: () => at + 1000 })
  await alerts.evaluate()
  const fleetConfig = loadFleetConfig({})
  const rollouts = options.rolloutsAndSilences
    ? createRolloutService({ db, commands, audit, logger, deviceModels: () => undefined })
    : undefined
  const alertOps = options.rolloutsAndSilences
    ? createAlertModule({ db, config: fleetConfig.alerts, audit, logger })
    : undefined
  const ingestor = new Ingestor({
    store: new IngestStore(db),
    codecs,
    logger,
    maxBatch: 10,
    maxDelayMs: 10,
    maxQueue: 100,
  })
  const registry = createFleetMetrics({
    ingestor,
    db,
    mqttConnected: () => true,
    notifications: options.notifications,
  })
  const dashboard = options.dashboard ?? { baseMap: resolveBaseMap({ baseMap: 'none' }) }
  const views = createSharedViews({
    db,
    datum: dashboard.baseMap.datum,
    clock: options.clock ?? Date.now,
    maxAgeMs: options.sharedViewsMaxAgeMs ?? 0,
  })
  const app = await buildApp({
    db,
    ingestor,
    commands,
    commandQueue,
    screenshots,
    live: new LiveHub(new KioskRepo(db), logger),
    identity,
    audit,
    alerts,
    mqttConnected: () => true,
    commandDefaults: { timeoutMs: 300, ttlMs: 1000, queueTtlMs: 3_600_000 },
    auth: { sessionTtlMs: 3_600_000, secureCookies: false },
    metrics: { token: METRICS_TOKEN, registry },
    dashboard,
    views,
    logger,
    // The demo catalogue of the repository (kiosk/catalogue/departments), as the fleet-server's default.
    catalogue: async () => catalogue,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(rollouts === undefined ? {} : { rollouts: rollouts.routes }),
    ...(alertOps === undefined ? {} : { alertOps: alertOps.routes }),
  })

  const cookies = {} as Record<Role, string>
  for (const [role, user] of Object.entries(USERS) as [Role, { id: string }][]) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: user.id, password: PASSWORD },
    })
    const cookie = response.cookies.find((c) => c.name === 'fleet_session')
    if (cookie === undefined) throw new Error(`login of ${user.id} failed: ${response.body}`)
    cookies[role] = `fleet_session=${cookie.value}`
  }
  return {
    app,
    db,
    audit,
    published,
    commands,
    commandQueue,
    ingestor,
    views,
    cookies,
    async close() {
      await alerts.stop()
      await alertOps?.stop()
      await rollouts?.stop()
      await app.close()
      await db.close()
    },
  }
}

// Test support for route tests (imported only by *.test.ts): a real app on in-memory PGlite, seeded
// with two kiosks and one user per role, and a command transport that answers like a kiosk.
import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { AlertEngine } from './alerts/alert-engine.ts'
import { DEFAULT_ALERT_POLICY } from './alerts/alert-rules.ts'
import { buildApp, type FleetApp } from './app.ts'
import { AuditLog } from './audit/audit-log.ts'
import { IdentityRepo } from './auth/identity-repo.ts'
import type { Role } from './auth/roles.ts'
import { CommandSender } from './commands/command-sender.ts'
import type { Database } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { openPgliteDatabase } from './db/pglite-database.ts'
import { emptyBatch } from './ingest/ingest-batch.ts'
import { IngestStore } from './ingest/ingest-store.ts'
import { Ingestor } from './ingest/ingestor.ts'
import { KioskRepo } from './kiosks/kiosk-repo.ts'
import { LiveHub } from './live/live-hub.ts'
import { DEFAULT_CATALOGUE_DIR, loadCatalogueDir } from './services/catalogue-dir.ts'

export const PASSWORD = 'correct horse battery'
/** The Prometheus scrape token of route tests (`metrics.token`). */
export const METRICS_TOKEN = 'route-test-scrape-token'
export const USERS: Record<Role, { id: string; departments?: string[]; sites?: string[]; vendors?: string[] }> = {
  admin: { id: 'ada' },
  department: { id: 'dora', departments: ['public-security'] },
  site: { id: 'sam', sites: ['site-b'] },
  vendor: { id: 'vic', vendors: ['Epson'] },
  auditor: { id: 'aud' },
}

export interface RouteTestApp {
  app: FleetApp
  db: Database
  audit: AuditLog
  published: { topic: string; payload: string }[]
  /** Cookie header of a logged-in session per role. */
  cookies: Record<Role, string>
  close(): Promise<void>
}

export interface RouteTestAppOptions {
  /** The app's time source (the services page's window); `Date.now` when unset. */
  clock?: () => number
}

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
      // Answer `ping` as a kiosk would, through the response path the MQTT client uses.
      if (!topic.endsWith('/ping')) return
      const [, , kioskId] = topic.split('/')
      const { transaction } = JSON.parse(payload) as { transaction: string }
      const response = { transaction, ts: 1, status: 'ok', data: { receivedAt: 1, appVersion: '0.1.0' } }
      queueMicrotask(() =>
        commands.handleResponse(kioskId ?? '', 'ping', new TextEncoder().encode(JSON.stringify(response))),
      )
    },
    codecs,
    db,
    logger,
  })
  const audit = new AuditLog(db)
  const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
  // The clock just after the seeded reports: kiosk-a's receipt printer is low on paper (alert 1).
  const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger, now: () => at + 1000 })
  await alerts.evaluate()
  const app = await buildApp({
    db,
    ingestor: new Ingestor({ store: new IngestStore(db), codecs, logger, maxBatch: 10, maxDelayMs: 10, maxQueue: 100 }),
    commands,
    live: new LiveHub(new KioskRepo(db), logger),
    identity,
    audit,
    alerts,
    mqttConnected: () => true,
    commandDefaults: { timeoutMs: 300, ttlMs: 1000 },
    auth: { sessionTtlMs: 3_600_000, secureCookies: false },
    metrics: { token: METRICS_TOKEN },
    dashboard: {},
    logger,
    // The demo catalogue of the repository (kiosk/catalogue/departments), as the fleet-server's default.
    catalogue: async () => catalogue,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
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
    cookies,
    async close() {
      await alerts.stop()
      await app.close()
      await db.close()
    },
  }
}

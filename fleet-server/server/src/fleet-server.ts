import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { type CatalogueBundle, createCodecs, type ScreenshotData } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { AlertEngine } from './alerts/alert-engine.ts'
import { createAlertModule } from './alerts/alert-module.ts'
import { buildApp, type FleetApp } from './app.ts'
import { AuditLog } from './audit/audit-log.ts'
import { bootstrapAdmin } from './auth/bootstrap-admin.ts'
import { IdentityRepo } from './auth/identity-repo.ts'
import { createBrokerAuthenticator } from './broker/broker-authenticator.ts'
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.ts'
import { fleetMqttUsername } from './broker/fleet-mqtt-user.ts'
import { KioskCredentials, newKioskPassword } from './broker/kiosk-credentials.ts'
import { CommandQueue } from './commands/command-queue.ts'
import { CommandSender } from './commands/command-sender.ts'
import { ScreenshotStore, withoutImage } from './commands/screenshot-store.ts'
import type { FleetConfig } from './config/schema.ts'
import type { Database } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { openPgliteDatabase } from './db/pglite-database.ts'
import { openPostgresDatabase } from './db/postgres-database.ts'
import { pruneHistory } from './history/retention.ts'
import { brokerHandOver } from './ingest/broker-hand-over.ts'
import { connectFleetMqtt } from './ingest/fleet-mqtt.ts'
import { IngestStore, recordMissing } from './ingest/ingest-store.ts'
import { Ingestor } from './ingest/ingestor.ts'
import { startJetStreamIngest } from './ingest/jetstream-ingest.ts'
import { startSessionKeeper } from './ingest/session-keeper.ts'
import { SessionLeases } from './ingest/session-leases.ts'
import { MissingMessageCheck } from './ingest/stream-ledger.ts'
import { KioskRepo } from './kiosks/kiosk-repo.ts'
import { startLiveFanout } from './live/live-fanout.ts'
import { LiveHub } from './live/live-hub.ts'
import { resolveBaseMap } from './map/base-map.ts'
import { createFleetMetrics } from './metrics/fleet-metrics.ts'
import { createRolloutService, type RolloutModule } from './rollouts/index.ts'
import { startMetricsListener } from './security/metrics-access.ts'
import { catalogueDirProvider, DEFAULT_CATALOGUE_DIR, readCatalogueFiles } from './services/catalogue-dir.ts'
import { embeddedBrokerTls, enrolmentCa, httpsOptions, mqttClientTls } from './tls/transport-security.ts'
import { type DeviceModelCatalog, deviceModelCatalog } from './updates/device-models.ts'
import type { RepositoryLifetimes } from './updates/tuf-repository.ts'
import { startUpdateRuntime, type UpdateRuntime } from './updates/update-runtime.ts'
import { createSharedViews } from './views/shared-views.ts'

/**
 * How long open dashboards of one scope share an answer of the overview, sites, site tree and map
 * (views/shared-views.ts, docs/operations.md).
 */
const SHARED_VIEWS_MAX_AGE_MS = 1000
/** …and served up to this much longer while the next caller's refresh runs: no request waits for one. */
const SHARED_VIEWS_STALE_MS = 2000
/** How often a replica tries to look for holes in the ledger (with several replicas). */
const GAP_CHECK_INTERVAL_MS = 5000

export interface FleetServer {
  httpUrl: string
  /** `/metrics` on its own listener, when `metrics.port` is set. */
  metricsUrl: string | undefined
  mqttUrl: string
  db: Database
  ingestor: Ingestor
  alerts: AlertEngine
  app: FleetApp
  /** Signed updates: repository, artifacts, uploads (undefined when `updates.enabled` is false). */
  updates: UpdateRuntime | undefined
  /** The rollout engine (undefined when `rollouts.enabled` is false). */
  rollouts: RolloutModule | undefined
  /** Graceful: stop taking messages, write everything accepted, then close HTTP, broker and database. */
  stop(): Promise<void>
}

export async function openDatabase(config: FleetConfig['database'], logger: Logger): Promise<Database> {
  if (config.url !== undefined) {
    logger.info({ schema: config.schema ?? 'public' }, 'using PostgreSQL')
    return openPostgresDatabase({ url: config.url, schema: config.schema })
  }
  mkdirSync(config.pgliteDir, { recursive: true })
  logger.info({ dir: config.pgliteDir }, 'using embedded PGlite')
  return openPgliteDatabase(config.pgliteDir)
}

/** What the composition root may hand in besides the config. */
export interface FleetServerOptions {
  /**
   * The device registry's models (firmware/config support, config schemas, hardware revisions);
   * fleet-server does not import drivers, so the caller passes `deviceModelCatalog(definitions)`.
   * Without it no firmware or config artifact can be pushed (unknown model).
   */
  deviceModels?: DeviceModelCatalog
  /** Time source of the update repository (tests move it to make metadata near expiry). */
  clock?: () => number
  /** TUF role lifetimes (tests). */
  updateLifetimes?: RepositoryLifetimes
}

/** Starts database, broker (embedded unless an external URL is set), ingest and HTTP. */
export async function startFleetServer(
  config: FleetConfig,
  logger: Logger,
  options: FleetServerOptions = {},
): Promise<FleetServer> {
  const log = logger.child({ mod: 'fleet' })
  const codecs = createCodecs()
  // TLS settings are checked before anything starts (docs/operations.md "TLS"): a bad file or clear
  // text where it is not allowed stops the server with ERR_FLEET_TLS_CONFIG.
  const https = httpsOptions(config.http)
  const brokerTls = config.mqtt.url === undefined ? embeddedBrokerTls(config.mqtt) : undefined
  if (config.mqtt.url !== undefined) mqttClientTls(config.mqtt, config.mqtt.url)
  const brokerCa = enrolmentCa(config)
  // The service catalogue is read before anything starts: a missing or invalid folder stops the
  // server with ERR_FLEET_SERVICE_CATALOGUE_INVALID, every error listed. Departments' published
  // bundles are laid over it once the update repository runs (`updates` below).
  let publishedBundles = async (): Promise<CatalogueBundle[]> => []
  const catalogue = catalogueDirProvider(config.services.catalogueDir ?? DEFAULT_CATALOGUE_DIR, log, () =>
    publishedBundles(),
  )
  const db = await openDatabase(config.database, log)
  await migrate(db, logger.child({ mod: 'fleet.db' }))

  // Stable per machine (its broker session survives restarts), different between replicas.
  const clientId = config.mqtt.clientId ?? `fleet-${hostname()}`
  const kiosks = new KioskRepo(db)
  const live = new LiveHub(kiosks, logger.child({ mod: 'fleet.live' }))
  // The overview, sites, site tree and map each read the whole fleet: open dashboards share one answer
  // per scope for up to a second.
  const baseMap = resolveBaseMap(config.dashboard)
  const views = createSharedViews({
    db,
    datum: baseMap.datum,
    clock: options.clock ?? Date.now,
    maxAgeMs: SHARED_VIEWS_MAX_AGE_MS,
    staleMs: SHARED_VIEWS_STALE_MS,
  })
  // This process among the replicas (live fan-out, session leases); new at every start.
  const replicaId = randomUUID()
  const fanout = await startLiveFanout({
    db,
    live,
    replicaId,
    logger: logger.child({ mod: 'fleet.live' }),
  })
  let commands: CommandSender | undefined
  let commandQueue: CommandQueue | undefined
  let rollouts: RolloutModule | undefined
  const audit = new AuditLog(db)
  const alertModule = createAlertModule({
    db,
    config: config.alerts,
    audit,
    logger,
    // Dashboards re-read what they show for these kiosks, alerts included.
    onEvents: (events) => {
      views.alertsChanged()
      live.changed(events.map((e) => e.alert.kioskId))
    },
  })
  const alerts = alertModule.engine
  const ingestStore = new IngestStore(db)
  const ledgerGaps = config.mqtt.sharedGroup !== undefined || config.mqtt.jetstream !== undefined
  const ingestor = new Ingestor({
    store: ingestStore,
    codecs,
    logger: logger.child({ mod: 'fleet.ingest' }),
    ...config.ingest,
    // Split across replicas, each sees part of every kiosk's stream: the database's ledger sees it whole.
    gaps: ledgerGaps ? 'ledger' : 'here',
    onMissing: (runs) => {
      ingestStore
        .recordMissing(runs, Date.now())
        .then((ids) => (config.alerts.enabled ? alerts.evaluate(ids) : undefined))
        .catch((err: unknown) => log.warn({ err }, 'missing messages could not be recorded'))
    },
    onWritten: (result) => {
      live.changed(result.changedKiosks)
      // New kiosks count at once; other changes within the shared views' age.
      if (result.births.length > 0) views.invalidate()
      rollouts?.onIngested(result)
      // Kiosks back: their queued commands, claimed once whichever replica ingested the birth.
      if (result.births.length > 0) {
        void commandQueue
          ?.kiosksReturned(result.births)
          .catch((err: unknown) => log.warn({ err }, 'queued commands not handed over'))
      }
      if (config.alerts.enabled) void alerts.evaluate(result.changedKiosks)
      for (const kioskId of result.unknownKiosks) {
        log.info({ kioskId }, 'kiosk seen without a birth, asking for rebirth')
        void commands
          ?.notify(kioskId, 'rebirth')
          .catch((err: unknown) => log.warn({ err, kioskId }, 'rebirth request failed'))
      }
    },
  })
  let broker: EmbeddedBroker | undefined
  let mqttUrl = config.mqtt.url
  let ingestSubscribed = false
  let mqttUsername = config.mqtt.username
  let mqttPassword = config.mqtt.password
  if (mqttUrl === undefined) {
    const secured = config.broker.requireCredentials
    if (secured) {
      // In-process, the fleet-server's own credential can be a fresh secret when none is configured.
      mqttUsername = fleetMqttUsername(config)
      mqttPassword ??= newKioskPassword()
    } else {
      log.warn('embedded broker without credentials (broker.requireCredentials false): development only')
    }
    broker = await startEmbeddedBroker({
      host: config.mqtt.embedded.host,
      port: config.mqtt.embedded.port,
      ...(brokerTls === undefined ? {} : { tls: brokerTls }),
      logger: logger.child({ mod: 'fleet.broker' }),
      admit: (id) => ingestSubscribed || id === clientId,
      ingest: brokerHandOver(ingestor),
      ...(secured && mqttUsername !== undefined && mqttPassword !== undefined
        ? {
            auth: createBrokerAuthenticator({
              credentials: new KioskCredentials(db),
              fleet: { username: mqttUsername, password: mqttPassword },
            }),
          }
        : {}),
    })
    mqttUrl = broker.url
  }

  const mqttTls = mqttClientTls(config.mqtt, mqttUrl)
  const mqtt = await connectFleetMqtt({
    url: mqttUrl,
    tls: mqttTls,
    clientId,
    username: mqttUsername,
    password: mqttPassword,
    keepaliveS: config.mqtt.keepaliveS,
    sharedGroup: config.mqtt.sharedGroup,
    ingestTopics: broker === undefined && config.mqtt.jetstream === undefined,
    ingestor,
    commands: () => commands as CommandSender,
    logger: logger.child({ mod: 'fleet.mqtt' }),
  })
  ingestSubscribed = true
  // External broker: leases on the ingest sessions, so a replica that never returns strands nothing.
  const jetstream =
    config.mqtt.jetstream === undefined
      ? undefined
      : await startJetStreamIngest({
          servers: config.mqtt.jetstream.servers,
          user: config.mqtt.jetstream.username,
          pass: config.mqtt.jetstream.password,
          durable: config.mqtt.jetstream.durable,
          maxAckPending: config.mqtt.jetstream.maxAckPending,
          ackWaitMs: config.mqtt.jetstream.ackWaitMs,
          ingestor,
          logger: logger.child({ mod: 'fleet.jetstream' }),
        })
  const keeper =
    broker === undefined && jetstream === undefined
      ? await (async () => {
          const leases = new SessionLeases(db, replicaId)
          const own = { clientId, username: mqttUsername }
          await leases.claim(own)
          return startSessionKeeper({
            leases,
            own,
            adoptAfterMs: config.mqtt.adoptAfterMs,
            logger: logger.child({ mod: 'fleet.sessions' }),
            connect: (session) =>
              connectFleetMqtt({
                url: mqttUrl,
                tls: mqttTls,
                clientId: session.clientId,
                username: session.username,
                password: mqttPassword,
                keepaliveS: config.mqtt.keepaliveS,
                sharedGroup: config.mqtt.sharedGroup,
                reconnect: false,
                ingestor,
                commands: () => commands as CommandSender,
                logger: logger.child({ mod: 'fleet.mqtt', adopted: session.clientId }),
              }),
          })
        })()
      : undefined
  const screenshots = new ScreenshotStore({ db, keepMs: config.commands.screenshotKeepMs })
  commands = new CommandSender({
    publish: async (topic, payload) => {
      await mqtt.client.publishAsync(topic, payload, { qos: 1 })
    },
    codecs,
    db,
    logger: logger.child({ mod: 'fleet.commands' }),
    // Another replica's screenshot (or a late one): its picture is not kept, only what was taken.
    onUnwaitedResponse: (kioskId, command, outcome) =>
      commandQueue?.onResponse(
        kioskId,
        command === 'screenshot' && outcome.data !== undefined
          ? { ...outcome, data: withoutImage(outcome.data as ScreenshotData) }
          : outcome,
      ),
    keep: (kioskId, command, outcome, requestedBy) =>
      command === 'screenshot' ? screenshots.keep(kioskId, outcome, requestedBy) : Promise.resolve(outcome),
  })
  const sender = commands
  commandQueue = new CommandQueue({
    db,
    publish: (row) => sender.publishRequest(row),
    logger: logger.child({ mod: 'fleet.commands' }),
    answerTimeoutMs: config.commands.timeoutMs,
    sweepMs: config.commands.queueSweepMs,
  })

  const identity = new IdentityRepo(db)
  await bootstrapAdmin(identity, audit, config.auth.initialAdminPassword, log)

  const updates = config.updates.enabled
    ? await startUpdateRuntime({
        db,
        settings: config.updates,
        audit,
        models: options.deviceModels ?? deviceModelCatalog([]),
        clock: options.clock ?? Date.now,
        logger: logger.child({ mod: 'fleet.updates' }),
        onArtifactChanged: (artifactId) => live.touch('artifact', artifactId),
        fleetCatalogueFiles: () => {
          const dir = config.services.catalogueDir ?? DEFAULT_CATALOGUE_DIR
          return existsSync(dir) ? readCatalogueFiles(dir) : []
        },
        ...(options.updateLifetimes === undefined ? {} : { lifetimes: options.updateLifetimes }),
      })
    : undefined
  if (updates !== undefined) publishedBundles = () => updates.service.publishedCatalogueBundles(updates.store)

  const deviceModels = options.deviceModels ?? deviceModelCatalog([])
  if (config.rollouts.enabled) {
    const { enabled: _, ...engine } = config.rollouts
    rollouts = createRolloutService({
      db,
      commands,
      audit,
      logger: logger.child({ mod: 'fleet.rollouts' }),
      deviceModels: (id) => deviceModels.model(id),
      ...engine,
      ...(options.clock === undefined ? {} : { now: options.clock }),
      onChanged: (rolloutId) => live.touch('rollout', rolloutId),
    })
  }

  const metricsRegistry = createFleetMetrics({
    ingestor,
    db,
    mqttConnected: () => mqtt.client.connected,
    notifications: alertModule.notifier,
  })
  const app = await buildApp({
    db,
    ingestor,
    commands,
    commandQueue,
    screenshots,
    live,
    identity,
    audit,
    alerts,
    dashboard: { baseMap, tileDir: config.dashboard.tileDir },
    auth: {
      sessionTtlMs: config.auth.sessionTtlMs,
      secureCookies: config.auth.secureCookies,
      lockout: config.auth.lockout,
      loginPerMinute: config.auth.loginPerMinute,
      enrolPerMinute: config.auth.enrolPerMinute,
    },
    http: { https, trustProxy: config.http.trustProxy },
    metrics: { token: config.metrics.token, ownListener: config.metrics.port !== undefined, registry: metricsRegistry },
    mqttConnected: () => mqtt.client.connected,
    commandDefaults: {
      timeoutMs: config.commands.timeoutMs,
      ttlMs: config.commands.ttlMs,
      queueTtlMs: config.commands.queueTtlMs,
    },
    logger,
    updates,
    rollouts: rollouts?.routes,
    alertOps: alertModule.routes,
    catalogue,
    views,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    enrolment: {
      brokerUrl: config.broker.publicUrl ?? mqttUrl,
      brokerCa,
      reservedUsernames: [fleetMqttUsername(config)],
      defaultTtlMs: config.broker.enrolmentTtlMs,
    },
  })
  let pruning: Promise<void> = Promise.resolve()
  const prune = () => {
    pruning = pruneHistory(db, config.retention).then(
      (pruned) => log.info(pruned, 'history pruned'),
      (err: unknown) => log.warn({ err }, 'history pruning failed'),
    )
  }
  const pruneTimer = setInterval(prune, config.retention.pruneIntervalMs)
  pruneTimer.unref()
  prune()

  // With the ledger, one replica at a time counts the holes every replica's batches left open.
  const missingCheck = new MissingMessageCheck({ db, graceMs: config.ingest.gapGraceMs, record: recordMissing })
  let checkingGaps: Promise<void> = Promise.resolve()
  const checkGaps = () => {
    checkingGaps = missingCheck.check().then(
      (runs) => {
        ingestor.reportMissing(runs)
        if (runs.length > 0 && config.alerts.enabled) void alerts.evaluate([...new Set(runs.map((r) => r.kioskId))])
      },
      (err: unknown) => log.warn({ err }, 'missing messages could not be checked'),
    )
  }
  const gapTimer = ledgerGaps ? setInterval(checkGaps, GAP_CHECK_INTERVAL_MS).unref() : undefined

  await alertModule.start()
  rollouts?.start()
  commandQueue.start()

  const address = await app.listen({ host: config.http.host, port: config.http.port })
  const metricsListener =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsListener({
          registry: metricsRegistry,
          host: config.metrics.host,
          port: config.metrics.port,
          token: config.metrics.token,
        })
  log.info(
    { http: address, mqtt: mqttUrl, database: db.kind, tls: https !== undefined, metrics: metricsListener?.url },
    'fleet-server ready',
  )

  return {
    httpUrl: address,
    metricsUrl: metricsListener?.url,
    mqttUrl,
    db,
    ingestor,
    alerts,
    app,
    updates,
    rollouts,
    async stop() {
      clearInterval(pruneTimer)
      clearInterval(gapTimer)
      await commandQueue?.stop()
      await rollouts?.stop()
      await updates?.stop()
      // Commits and acknowledges what was taken, then disconnects; the rest waits in the broker
      // for this replica's return, or for the replica that adopts its released session.
      await jetstream?.close()
      await mqtt.close()
      await keeper?.close()
      await pruning
      await checkingGaps
      await alertModule.stop()
      commands?.cancelAll()
      live.close()
      await fanout.close()
      await app.close()
      await metricsListener?.close()
      await broker?.close()
      // What the embedded broker handed over while closing: committed, though never acknowledged.
      await ingestor.flush()
      await db.close()
      log.info({ written: ingestor.stats.written }, 'fleet-server stopped')
    },
  }
}

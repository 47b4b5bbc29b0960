import { join } from 'node:path'
import type { DeviceClass as DriverDeviceClass, DeviceState as DriverDeviceState } from '@drivers/core'
import { AppError, isUrgentChange } from '@drivers/core'
import {
  type BirthPayload,
  createCodecs,
  type DeviceClass,
  type DeviceState,
  type HealthPayload,
  topics,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { createBackend } from './backends/create-backend.ts'
import type { DepartmentBackend } from './backends/department-backend.ts'
import { CommandDispatcher } from './commands/command-dispatcher.ts'
import { MaintenanceMode } from './commands/maintenance.ts'
import { createRemoteCommandHandlers } from './commands/remote-commands.ts'
import type { AgentConfig } from './config/schema.ts'
import { DeviceManager } from './devices/device-manager.ts'
import { createPeripherals } from './devices/open-peripherals.ts'
import type { Peripheral } from './devices/peripheral.ts'
import { KioskErrorCodes } from './errors.ts'
import { buildHealth } from './health/health-snapshot.ts'
import { LogRing } from './logging/log-ring.ts'
import { KioskLink } from './mqtt/kiosk-link.ts'
import { mqttTlsOptions } from './mqtt/mqtt-tls.ts'
import { Outbox } from './mqtt/outbox.ts'
import { SessionCounter } from './mqtt/session-counter.ts'
import { servicesFor } from './services/service-catalog.ts'
import { TransactionCounter } from './sessions/transaction-counter.ts'
import { type CitizenServices, startCitizenServices } from './ui-server/citizen-services.ts'
import { effectiveAppVersion } from './updates/app-release.ts'
import { TufVerifier } from './updates/tuf-verifier.ts'
import type { KioskActivity } from './updates/update-gate.ts'
import { UpdateService } from './updates/update-service.ts'

// The drivers' status vocabulary and the MQTT contract's must stay the same literals.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const vocabularyAgrees: [Same<DriverDeviceState, DeviceState>, Same<DriverDeviceClass, DeviceClass>] = [true, true]
void vocabularyAgrees

export interface KioskAgentOptions {
  config: AgentConfig
  logger: Logger
  /** Peripherals to report; defaults to the ones the config names, opened through their drivers. */
  peripherals?: Peripheral[]
  /** Department systems; defaults to the one `config.backend` names. */
  backend?: DepartmentBackend
  /** Recent log lines for `collect-logs` (main.ts tees the root logger into it). */
  logRing?: LogRing
  /** What `restart-agent` and `reboot` do to the process and machine (main.ts provides them). */
  system?: { restartAgent: () => void; reboot: (argv: string[]) => void }
  /** Fetch used by the update agent (tests bind it to their server); node's fetch by default. */
  fetch?: typeof fetch
}

export interface KioskAgent {
  readonly peripherals: Peripheral[]
  readonly devices: DeviceManager
  /** The citizen UI and local API once started (undefined when `ui.enabled` is false). */
  readonly citizen: CitizenServices | undefined
  readonly outbox: Outbox
  /** Set by IT staff (`enter-maintenance`): the kiosk is out of citizen service. */
  readonly maintenance: MaintenanceMode
  /** True while the MQTT connection is up. */
  readonly connected: boolean
  /** The update agent (undefined when `updates.enabled` is false). */
  readonly updates: UpdateService | undefined
  /** The app version this process runs: `current`'s release.json, else config.appVersion. */
  readonly appVersion: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Records a health snapshot now (also done every healthIntervalMs). */
  recordHealth(): HealthPayload
}

/** Device states in which a peripheral counts as having answered the post-update health check. */
const ANSWERED: ReadonlySet<string> = new Set(['online', 'busy', 'userError'])

/** What keeps an update from installing: a citizen being served, a card in a reader, paper in the path. */
function kioskActivity(peripherals: Peripheral[], citizen: CitizenServices | undefined): KioskActivity {
  let cardInReader = false
  let paperInPath = false
  for (const p of peripherals) {
    const status = p.status()
    const cls = p.identity.deviceClass
    if ((cls === 'idCardReader' || cls === 'smartCardReader') && status.media === 'present') cardInReader = true
    if ((cls === 'receiptPrinter' || cls === 'documentPrinter') && status.state === 'busy') paperInPath = true
    if (cls === 'documentScanner' && (status.state === 'busy' || status.media === 'present')) paperInPath = true
  }
  return { sessionActive: citizen?.sessions.current !== undefined, cardInReader, paperInPath }
}

/** Wires config, peripherals, outbox, MQTT link and commands into a running kiosk agent. */
export function createKioskAgent(options: KioskAgentOptions): KioskAgent {
  const { config, logger } = options
  const log = logger.child({ mod: 'agent' })
  const codecs = createCodecs()
  const startedAt = Date.now()
  const peripherals = options.peripherals ?? createPeripherals(config, logger.child({ mod: 'agent.devices' }))
  const services = servicesFor(config.machineType)
  const devices = new DeviceManager({ peripherals, services })
  const transactions = new TransactionCounter({ dataDir: config.dataDir, logger: log })
  let citizen: CitizenServices | undefined
  const outbox = new Outbox({
    dir: config.dataDir,
    logger: logger.child({ mod: 'agent.outbox' }),
    maxPending: config.outbox.maxPending,
  })
  const sessions = new SessionCounter(config.dataDir)
  const kioskId = config.kioskId

  const maintenance = new MaintenanceMode()
  const updatesConfig = config.updates
  const releasesDir = updatesConfig.releasesDir ?? join(config.dataDir, 'app')
  const updateStateDir = updatesConfig.stateDir ?? join(config.dataDir, 'updates')
  const appVersion = effectiveAppVersion(releasesDir, config.appVersion)
  const updates = updatesConfig.enabled ? createUpdateService() : undefined
  const serviceMode = (): 'inService' | 'outOfService' =>
    devices.availability().some((s) => s.available) ? 'inService' : 'outOfService'
  const healthSources = {
    startedAt,
    peripherals,
    services,
    outbox,
    mode: (): HealthPayload['mode'] => (maintenance.active ? 'maintenance' : serviceMode()),
    transactions: () => transactions.snapshot(),
    ...(updates ? { updates: () => updates.health() } : {}),
  }

  const recordHealth = (): HealthPayload => {
    let snapshot: HealthPayload | undefined
    outbox.append((seq) => {
      snapshot = buildHealth(healthSources, seq)
      return { topic: topics.health(kioskId), payload: codecs.health.encode(snapshot), retain: true }
    })
    link.drain()
    return snapshot as HealthPayload
  }

  const recordBirth = (session: number) => {
    outbox.append((seq) => {
      const birth: BirthPayload = {
        seq,
        ts: Date.now(),
        session,
        kioskId,
        machineType: config.machineType,
        department: config.department,
        site: config.site,
        appVersion,
        healthIntervalMs: config.healthIntervalMs,
        peripherals: peripherals.map((p) => ({ deviceId: p.deviceId, ...p.identity })),
      }
      return { topic: topics.birth(kioskId), payload: codecs.birth.encode(birth), retain: true }
    })
  }

  const recordDeviceStatus = (peripheral: Peripheral) => {
    outbox.append((seq) => ({
      topic: topics.device(kioskId, peripheral.deviceId),
      payload: codecs.deviceStatus.encode({
        seq,
        ts: Date.now(),
        deviceId: peripheral.deviceId,
        status: peripheral.status(),
      }),
      retain: true,
    }))
  }

  let session = 0
  const dispatcher = new CommandDispatcher({
    codecs,
    logger: logger.child({ mod: 'agent.commands' }),
    handlers: {
      ping: async () => ({ receivedAt: Date.now(), appVersion }),
      'get-health': async () => buildHealth(healthSources, outbox.nextSeq),
      rebirth: async () => {
        const seq = outbox.nextSeq
        recordBirthAndStatuses()
        link.drain()
        return { seq }
      },
      update: async (params) => {
        if (updates === undefined) {
          throw new AppError(KioskErrorCodes.unsupported, 'this kiosk has no update agent configured')
        }
        return updates.update(params)
      },
      'cancel-update': async (params) => {
        if (updates === undefined) {
          throw new AppError(KioskErrorCodes.unsupported, 'this kiosk has no update agent configured')
        }
        return updates.cancel(params.deploymentId)
      },
      ...createRemoteCommandHandlers({
        peripherals: () => peripherals,
        maintenance,
        logRing: options.logRing ?? new LogRing(),
        rebootCommand: config.system.rebootCommand,
        restartAgent:
          options.system?.restartAgent ?? (() => log.warn('restart-agent: no supervisor hook in this process')),
        reboot: options.system?.reboot ?? (() => log.warn('reboot: no reboot hook in this process')),
        recordHealth: () => recordHealth(),
        currentMode: serviceMode,
        logger: logger.child({ mod: 'agent.remote' }),
      }),
    },
  })

  const link = new KioskLink({
    kioskId,
    mqtt: config.mqtt,
    tls: mqttTlsOptions(config.mqtt),
    outbox,
    nextSession: () => sessions.next(),
    codecs,
    dispatcher,
    logger: logger.child({ mod: 'agent.mqtt' }),
    onConnected: (connected) => {
      session = connected
      recordBirthAndStatuses()
    },
  })

  function createUpdateService(): UpdateService {
    const fleetUrl = updatesConfig.fleetUrl
    if (fleetUrl === undefined) {
      throw new AppError(KioskErrorCodes.updatesConfig, 'updates.enabled needs updates.fleetUrl')
    }
    const base = fleetUrl.endsWith('/') ? fleetUrl : `${fleetUrl}/`
    const verifier = new TufVerifier({
      metadataBaseUrl: new URL('updates/metadata/', base).toString(),
      targetBaseUrl: new URL('updates/targets/', base).toString(),
      metadataDir: join(updateStateDir, 'metadata'),
      targetDir: join(updateStateDir, 'tuf-targets'),
      trustedRootFile: updatesConfig.trustedRootFile ?? join(updateStateDir, 'root.json'),
    })
    const registryIdOf = new Map(config.peripherals.map((p) => [p.deviceId, p.registryId]))
    let held = false
    let lastUpdatesHealth = ''
    return new UpdateService({
      settings: {
        releasesDir,
        stateDir: updateStateDir,
        baseAppVersion: config.appVersion,
        machineType: config.machineType,
        healthCheckTimeoutMs: updatesConfig.healthCheckTimeoutMs,
        metadataRefreshMs: updatesConfig.metadataRefreshMs,
        gatePollMs: updatesConfig.gatePollMs,
        staleRetryMs: updatesConfig.staleRetryMs,
        downloadRetryMs: updatesConfig.downloadRetryMs,
        downloadAttempts: updatesConfig.downloadAttempts,
        deviceTimeoutMs: updatesConfig.deviceTimeoutMs,
      },
      verifier,
      findDevice: (ref) =>
        peripherals.find((p) => registryIdOf.get(p.deviceId) === ref.model) ??
        peripherals.find(
          (p) =>
            p.identity.vendor.toLowerCase() === ref.vendor.toLowerCase() &&
            p.identity.model.toLowerCase() === ref.model.toLowerCase(),
        ),
      deviceById: (deviceId) => peripherals.find((p) => p.deviceId === deviceId),
      activity: () => kioskActivity(peripherals, citizen),
      serviceHold: {
        hold: () => {
          // IT staff's own maintenance stays theirs: only a mode the update entered is left again.
          if (maintenance.active) return
          held = true
          maintenance.enter('update')
        },
        release: () => {
          if (held && maintenance.reason === 'update') maintenance.leave()
          held = false
        },
      },
      publish: (report) => {
        outbox.append((seq) => ({
          topic: topics.deployment(kioskId, report.deploymentId),
          payload: codecs.deploymentStatus.encode({ ...report, seq, ts: Date.now() }),
          retain: false,
        }))
        link.drain()
      },
      restartAgent: () =>
        (options.system?.restartAgent ?? (() => log.warn('update: no supervisor hook to restart the agent')))(),
      appHealthy: async () => {
        if (!link.connected) return false
        if (peripherals.some((p) => !ANSWERED.has(p.status().state))) return false
        if (!config.ui.enabled) return true
        if (citizen === undefined) return false
        try {
          const response = await fetch(citizen.url, { signal: AbortSignal.timeout(5000) })
          await response.body?.cancel()
          return response.ok
        } catch {
          return false
        }
      },
      // Stale metadata and the deployment's phase show on the dashboard at once, not on the next period.
      onHealthChanged: () => {
        const h = updates?.health()
        const key = h === undefined ? '' : `${h.metadataStale}|${h.deploymentId}|${h.phase}`
        if (key === lastUpdatesHealth) return
        lastUpdatesHealth = key
        recordHealth()
      },
      onInventoryChanged: () => {
        recordBirthAndStatuses()
        link.drain()
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      logger: logger.child({ mod: 'agent.updates' }),
    })
  }

  function recordBirthAndStatuses(): void {
    recordBirth(session)
    for (const p of peripherals) recordDeviceStatus(p)
    recordHealth()
  }

  const unsubscribers: (() => void)[] = []
  let healthTimer: ReturnType<typeof setInterval> | undefined

  return {
    peripherals,
    devices,
    get citizen() {
      return citizen
    },
    outbox,
    maintenance,
    get connected() {
      return link.connected
    },
    updates,
    appVersion,
    recordHealth,
    async start() {
      for (const p of peripherals) {
        unsubscribers.push(
          p.onStatusChanged((status, previous) => {
            const urgent = isUrgentChange(previous, status)
            log.info(
              { deviceId: p.deviceId, state: status.state, paper: status.paper, urgent },
              'peripheral status changed',
            )
            recordDeviceStatus(p)
            outbox.append((seq) => ({
              topic: topics.event(kioskId, 'device-status'),
              payload: codecs.deviceStatusEvent.encode({
                seq,
                ts: Date.now(),
                deviceId: p.deviceId,
                previous,
                status,
                urgent,
              }),
              retain: false,
            }))
            // Service availability follows the status at once, not on the next period.
            recordHealth()
          }),
        )
      }
      await devices.start()
      if (config.ui.enabled) {
        citizen = await startCitizenServices({
          config,
          devices,
          backend: options.backend ?? createBackend(config.backend, logger.child({ mod: 'agent.backend' })),
          transactions,
          maintenance,
          logger: logger.child({ mod: 'agent.ui' }),
        })
        // Every finished session shows in the counts at once.
        unsubscribers.push(
          citizen.sessions.on((event) => {
            if (event.type === 'ended') recordHealth()
          }),
        )
      }
      link.start()
      // After a restart or power loss the persisted deployment goes on from where it was.
      await updates?.start()
      healthTimer = setInterval(recordHealth, config.healthIntervalMs)
      log.info(
        { kioskId, machineType: config.machineType, appVersion, peripherals: peripherals.length, updates: !!updates },
        'agent started',
      )
    },
    async stop() {
      clearInterval(healthTimer)
      await updates?.stop()
      for (const off of unsubscribers.splice(0)) off()
      await citizen?.stop()
      await devices.stop()
      await link.stop()
      outbox.close()
      log.info({ kioskId }, 'agent stopped')
    },
  }
}

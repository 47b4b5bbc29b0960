import { join } from 'node:path'
import type { DeviceClass as DriverDeviceClass, DeviceState as DriverDeviceState } from '@drivers/core'
import { allDefinitions, createRegistry } from '@drivers/registry'
import { driverFactoryFor } from '@drivers/registry/drivers'
import {
  type Catalogue,
  createCodecs,
  type DeviceClass,
  type DeviceState,
  type HealthPayload,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { DEFAULT_CATALOGUE_DIR, loadCatalogueDir, readCatalogueFiles } from './catalogue/catalogue-files.ts'
import { CatalogueOverlay, startingCatalogue } from './catalogue/catalogue-overlay.ts'
import { CatalogueStore } from './catalogue/catalogue-store.ts'
import { DEFAULT_OFFER } from './catalogue/default-offer.ts'
import { ServiceAvailabilityModel } from './catalogue/service-availability.ts'
import { createAgentCommandHandlers } from './commands/agent-commands.ts'
import { CommandDispatcher } from './commands/command-dispatcher.ts'
import { MaintenanceMode } from './commands/maintenance.ts'
import { createRemoteCommandHandlers } from './commands/remote-commands.ts'
import type { AgentConfig } from './config/schema.ts'
import { bindPeripherals, type PeripheralBindingOptions } from './devices/bind-peripherals.ts'
import { DeviceManager } from './devices/device-manager.ts'
import type { Peripheral } from './devices/peripheral.ts'
import { CircuitBreakerGateway } from './gateway/circuit-breaker.ts'
import { createGateway } from './gateway/create-gateway.ts'
import type { DepartmentGateway } from './gateway/department-gateway.ts'
import { LogRing } from './logging/log-ring.ts'
import { KioskLink } from './mqtt/kiosk-link.ts'
import { KioskReporter } from './mqtt/kiosk-reporter.ts'
import { mqttTlsOptions } from './mqtt/mqtt-tls.ts'
import { Outbox } from './mqtt/outbox.ts'
import { SessionCounter } from './mqtt/session-counter.ts'
import type { ScreenCapturer } from './screen/screen-capturer.ts'
import { createScreenshotHandler } from './screen/screenshot-command.ts'
import { ShellScreenLink } from './screen/shell-screen-link.ts'
import { TransactionCounter } from './sessions/transaction-counter.ts'
import { type CitizenServices, startCitizenServices } from './ui-server/citizen-services.ts'
import { effectiveAppVersion } from './updates/app-release.ts'
import { createUpdateService, updateDirs } from './updates/create-update-service.ts'
import { catalogueUpdates } from './updates/kind-installers.ts'
import { KioskUpdateHost } from './updates/kiosk-update-host.ts'
import type { UpdateService } from './updates/update-service.ts'

// The drivers' status vocabulary and the MQTT contract's must stay the same literals.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const vocabularyAgrees: [Same<DriverDeviceState, DeviceState>, Same<DriverDeviceClass, DeviceClass>] = [true, true]
void vocabularyAgrees

export interface KioskAgentOptions {
  config: AgentConfig
  logger: Logger
  /** Peripherals to report; defaults to the ones the config names, opened through their drivers. */
  peripherals?: Peripheral[]
  /** Device registry and driver table the config's peripherals are bound with; the built-in ones by default. */
  deviceModels?: Pick<PeripheralBindingOptions, 'modelById' | 'driverFor'>
  /** Department systems; defaults to the gateways `config.backend` names (the circuit breaker wraps either). */
  gateway?: DepartmentGateway
  /** The service catalogue; defaults to the folder `config.catalogue.dir` names. */
  catalogue?: Catalogue
  /** Recent log lines for `collect-logs` (main.ts tees the root logger into it). */
  logRing?: LogRing
  /** What `restart-agent` and `reboot` do to the process and machine (main.ts provides them). */
  system?: { restartAgent: () => void; reboot: (argv: string[]) => void }
  /** Fetch of the update agent, metadata and downloads (tests bind it to their server); by default one trusting `updates.tls.ca`. */
  fetch?: typeof fetch
  /** What `screenshot` captures the screen with instead of the shell (tests); with neither it answers `noDisplay`. */
  screenCapturer?: ScreenCapturer
}

export interface KioskAgent {
  readonly peripherals: Peripheral[]
  readonly devices: DeviceManager
  /** The service catalogue this kiosk runs (swapped between sessions by `stage`). */
  readonly catalogue: CatalogueStore
  /** Which offered services can run now, and why not. */
  readonly services: ServiceAvailabilityModel
  /** The department gateways behind their circuit breaker. */
  readonly gateway: CircuitBreakerGateway
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

/** The built-in device registry and driver table. */
export function builtInDeviceModels(): Pick<PeripheralBindingOptions, 'modelById' | 'driverFor'> {
  const registry = createRegistry(allDefinitions)
  return { modelById: (id) => registry.byId(id), driverFor: (model) => driverFactoryFor(model) }
}

/**
 * Wires config, peripherals, outbox, MQTT link, commands, citizen services and the update agent
 * into a running kiosk agent. Only composition: the behaviour lives in the modules it wires.
 */
export function createKioskAgent(options: KioskAgentOptions): KioskAgent {
  const { config, logger } = options
  const log = logger.child({ mod: 'agent' })
  const kioskId = config.kioskId
  const codecs = createCodecs()
  const peripherals =
    options.peripherals ??
    bindPeripherals(config.peripherals, {
      ...(options.deviceModels ?? builtInDeviceModels()),
      reopen: { initialMs: config.devices.reopenInitialMs, maxMs: config.devices.reopenMaxMs },
      logger: logger.child({ mod: 'agent.devices' }),
    })
  const devices = new DeviceManager({ peripherals })
  const transactions = new TransactionCounter({ dataDir: config.dataDir, logger: log })
  let citizen: CitizenServices | undefined
  const catalogueDir = config.catalogue.dir ?? DEFAULT_CATALOGUE_DIR
  // Departments' bundles from the fleet, laid over the image's catalogue (docs/updates.md "Service catalogues").
  const overlay = new CatalogueOverlay(join(config.dataDir, 'catalogue'), () => readCatalogueFiles(catalogueDir))
  const catalogue = new CatalogueStore({
    catalogue: options.catalogue ?? startingCatalogue(overlay, () => loadCatalogueDir(catalogueDir), log),
    offer: config.catalogue.offer ?? DEFAULT_OFFER[config.machineType],
    busy: () => citizen?.sessions.current !== undefined,
    logger: logger.child({ mod: 'agent.catalogue' }),
  })
  const gateway = new CircuitBreakerGateway(
    options.gateway ?? createGateway(config, logger.child({ mod: 'agent.gateway' })),
    config.backend.breaker,
  )
  const services = new ServiceAvailabilityModel({
    catalogue,
    peripherals,
    circuit: (department) => gateway.state(department),
    // 人证核验 runs on this kiosk (or its identity platform) unless the face check is switched off.
    identityReady: (identity) => identity !== 'idCardFace' || config.identity.faceCheck !== 'off',
  })
  const outbox = new Outbox({
    dir: config.dataDir,
    logger: logger.child({ mod: 'agent.outbox' }),
    maxPending: config.outbox.maxPending,
  })
  const sessions = new SessionCounter(config.dataDir)
  const maintenance = new MaintenanceMode()
  const appVersion = effectiveAppVersion(updateDirs(config).releasesDir, config.appVersion)

  const serviceMode = (): 'inService' | 'outOfService' =>
    services.availability().some((s) => s.available) ? 'inService' : 'outOfService'
  const reporter = new KioskReporter({
    kioskId,
    birth: {
      machineType: config.machineType,
      department: config.department,
      site: config.site,
      appVersion,
      healthIntervalMs: config.healthIntervalMs,
    },
    peripherals,
    outbox,
    codecs,
    health: {
      startedAt: Date.now(),
      peripherals,
      services: () => services.availability('fleet'),
      outbox,
      mode: () => (maintenance.active ? 'maintenance' : serviceMode()),
      transactions: () => transactions.snapshot(),
      ...(config.updates.enabled ? { updates: () => (updates as UpdateService).health() } : {}),
    },
    logger: log,
  })

  const modelIdOf = new Map(config.peripherals.map((p) => [p.deviceId, p.model]))
  const updates: UpdateService | undefined = config.updates.enabled
    ? createUpdateService({
        config,
        host: new KioskUpdateHost({
          peripherals,
          modelIdOf: (deviceId) => modelIdOf.get(deviceId),
          maintenance,
          reporter,
          connected: () => link.connected,
          citizen: () => citizen,
          uiEnabled: config.ui.enabled,
          updates: () => updates,
          restartAgent:
            options.system?.restartAgent ?? (() => log.warn('update: no supervisor hook to restart the agent')),
        }),
        catalogue: catalogueUpdates(overlay, catalogue),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        logger: logger.child({ mod: 'agent.updates' }),
      })
    : undefined

  // The shell's window captures, unless a capturer was handed in (tests: Chromium over CDP).
  const shellScreen = new ShellScreenLink({ logger: logger.child({ mod: 'agent.screen' }) })
  // When the current MQTT connection came up (monotonic): tells a wrong clock from a stale request.
  let linkUpAt: number | undefined
  const link = new KioskLink({
    kioskId,
    mqtt: config.mqtt,
    tls: mqttTlsOptions(config.mqtt),
    outbox,
    nextSession: () => sessions.next(),
    codecs,
    dispatcher: new CommandDispatcher({
      codecs,
      logger: logger.child({ mod: 'agent.commands' }),
      linkAgeMs: () => (linkUpAt === undefined ? undefined : performance.now() - linkUpAt),
      handlers: {
        ...createAgentCommandHandlers({ appVersion, reporter, nextSeq: () => outbox.nextSeq, updates }),
        ...createRemoteCommandHandlers({
          peripherals: () => peripherals,
          maintenance,
          logRing: options.logRing ?? new LogRing(),
          rebootCommand: config.system.rebootCommand,
          restartAgent:
            options.system?.restartAgent ?? (() => log.warn('restart-agent: no supervisor hook in this process')),
          reboot: options.system?.reboot ?? (() => log.warn('reboot: no reboot hook in this process')),
          recordHealth: () => reporter.recordHealth(),
          currentMode: serviceMode,
          logger: logger.child({ mod: 'agent.remote' }),
        }),
        screenshot: createScreenshotHandler({
          capturer: () => options.screenCapturer ?? (shellScreen.connected ? shellScreen : undefined),
          sessions: () => citizen?.sessions,
          logger: logger.child({ mod: 'agent.screenshot' }),
        }),
      },
    }),
    logger: logger.child({ mod: 'agent.mqtt' }),
    onConnected: (session) => {
      linkUpAt = performance.now()
      reporter.session = session
      reporter.recordBirthAndStatuses()
    },
  })
  reporter.drainWith(() => link.drain())

  const unsubscribers: (() => void)[] = []
  let healthTimer: ReturnType<typeof setInterval> | undefined

  return {
    peripherals,
    devices,
    catalogue,
    services,
    gateway,
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
    recordHealth: () => reporter.recordHealth(),
    async start() {
      unsubscribers.push(reporter.watchPeripherals())
      // Availability follows devices, gateway circuits and the catalogue at once: to the UI and the fleet.
      unsubscribers.push(
        devices.onChanged(() => services.notify()),
        gateway.onChanged((department, state) => {
          log.warn({ department, state }, 'department gateway circuit changed')
          services.notify()
          reporter.recordHealth()
        }),
        catalogue.onChanged((c) => {
          log.info({ digest: c.digest, services: c.services.length }, 'catalogue changed')
          services.notify()
          reporter.recordHealth()
        }),
      )
      await devices.start()
      if (config.ui.enabled) {
        citizen = await startCitizenServices({
          config,
          devices,
          catalogue,
          availability: services,
          gateway,
          transactions,
          maintenance,
          moreHandlers: shellScreen.handlers(),
          logger: logger.child({ mod: 'agent.ui' }),
        })
        // Every finished session shows in the counts at once.
        unsubscribers.push(
          citizen.sessions.on((event) => {
            if (event.type === 'ended') reporter.recordHealth()
          }),
        )
      }
      link.start()
      // After a restart or power loss the persisted deployment goes on from where it was.
      await updates?.start()
      healthTimer = setInterval(() => reporter.recordHealth(), config.healthIntervalMs)
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
      gateway.dispose()
      await link.stop()
      outbox.close()
      log.info({ kioskId }, 'agent stopped')
    },
  }
}

import type { DeviceClass as DriverDeviceClass, DeviceState as DriverDeviceState } from '@drivers/core'
import { isUrgentChange } from '@drivers/core'
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
import { buildHealth } from './health/health-snapshot.ts'
import { LogRing } from './logging/log-ring.ts'
import { KioskLink } from './mqtt/kiosk-link.ts'
import { Outbox } from './mqtt/outbox.ts'
import { SessionCounter } from './mqtt/session-counter.ts'
import { servicesFor } from './services/service-catalog.ts'
import { TransactionCounter } from './sessions/transaction-counter.ts'
import { type CitizenServices, startCitizenServices } from './ui-server/citizen-services.ts'

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
  start(): Promise<void>
  stop(): Promise<void>
  /** Records a health snapshot now (also done every healthIntervalMs). */
  recordHealth(): HealthPayload
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
  const serviceMode = (): 'inService' | 'outOfService' =>
    devices.availability().some((s) => s.available) ? 'inService' : 'outOfService'
  const healthSources = {
    startedAt,
    peripherals,
    services,
    outbox,
    mode: (): HealthPayload['mode'] => (maintenance.active ? 'maintenance' : serviceMode()),
    transactions: () => transactions.snapshot(),
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
        appVersion: config.appVersion,
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
      ping: async () => ({ receivedAt: Date.now(), appVersion: config.appVersion }),
      'get-health': async () => buildHealth(healthSources, outbox.nextSeq),
      rebirth: async () => {
        const seq = outbox.nextSeq
        recordBirthAndStatuses()
        link.drain()
        return { seq }
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
      healthTimer = setInterval(recordHealth, config.healthIntervalMs)
      log.info({ kioskId, machineType: config.machineType, peripherals: peripherals.length }, 'agent started')
    },
    async stop() {
      clearInterval(healthTimer)
      for (const off of unsubscribers.splice(0)) off()
      await citizen?.stop()
      await devices.stop()
      await link.stop()
      outbox.close()
      log.info({ kioskId }, 'agent stopped')
    },
  }
}

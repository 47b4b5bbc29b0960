import { isUrgentChange } from '@drivers/core'
import { type BirthPayload, type createCodecs, type HealthPayload, topics } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { Peripheral } from '../devices/peripheral.ts'
import { buildHealth, type HealthSources } from '../health/health-snapshot.ts'
import type { DeploymentReport } from '../updates/update-service.ts'
import type { Outbox } from './outbox.ts'

export interface KioskReporterOptions {
  kioskId: string
  /** What the birth message says about this kiosk besides its peripherals. */
  birth: Pick<BirthPayload, 'machineType' | 'department' | 'site' | 'appVersion' | 'healthIntervalMs'>
  peripherals: readonly Peripheral[]
  outbox: Outbox
  codecs: ReturnType<typeof createCodecs>
  health: HealthSources
  logger: Logger
}

/**
 * Everything the kiosk tells the fleet, through the outbox: birth, health, each device's retained
 * status, device-status events and deployment reports. Publishing is the link's business: after
 * appending, the reporter asks it to drain (`drainWith`, set once the link exists).
 */
export class KioskReporter {
  readonly #o: KioskReporterOptions
  #drain: () => void = () => undefined
  #session = 0

  constructor(options: KioskReporterOptions) {
    this.#o = options
  }

  /** Set once by the composition: how appended messages get published now. */
  drainWith(drain: () => void): void {
    this.#drain = drain
  }

  /** The MQTT session the last birth was sent in (birth carries it). */
  set session(session: number) {
    this.#session = session
  }

  /** A health snapshot as `get-health` answers it, not recorded. */
  healthNow(): HealthPayload {
    return buildHealth(this.#o.health, this.#o.outbox.nextSeq)
  }

  /** Records a health snapshot now and publishes it. */
  recordHealth(): HealthPayload {
    const { outbox, codecs, kioskId } = this.#o
    let snapshot: HealthPayload | undefined
    outbox.append((seq) => {
      snapshot = buildHealth(this.#o.health, seq)
      return { topic: topics.health(kioskId), payload: codecs.health.encode(snapshot), retain: true }
    })
    this.#drain()
    return snapshot as HealthPayload
  }

  /** Birth, every device's retained status and health: what a (re)connected fleet needs to know. */
  recordBirthAndStatuses(): void {
    this.#recordBirth()
    for (const p of this.#o.peripherals) this.#recordDeviceStatus(p)
    this.recordHealth()
  }

  /** Publishes a deployment report at once. */
  publishDeployment(report: DeploymentReport): void {
    const { outbox, codecs, kioskId } = this.#o
    outbox.append((seq) => ({
      topic: topics.deployment(kioskId, report.deploymentId),
      payload: codecs.deploymentStatus.encode({ ...report, seq, ts: Date.now() }),
      retain: false,
    }))
    this.#drain()
  }

  /** Reports every status change of every peripheral (retained status, event, health) until the returned stop. */
  watchPeripherals(): () => void {
    const offs = this.#o.peripherals.map((p) =>
      p.onStatusChanged((status, previous) => {
        const urgent = isUrgentChange(previous, status)
        this.#o.logger.info(
          { deviceId: p.deviceId, state: status.state, paper: status.paper, urgent },
          'peripheral status changed',
        )
        this.#recordDeviceStatus(p)
        const { outbox, codecs, kioskId } = this.#o
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
        this.recordHealth()
      }),
    )
    return () => {
      for (const off of offs) off()
    }
  }

  #recordBirth(): void {
    const { outbox, codecs, kioskId, birth, peripherals } = this.#o
    outbox.append((seq) => {
      const payload: BirthPayload = {
        seq,
        ts: Date.now(),
        session: this.#session,
        kioskId,
        ...birth,
        peripherals: peripherals.map((p) => ({ deviceId: p.deviceId, ...p.identity })),
      }
      return { topic: topics.birth(kioskId), payload: codecs.birth.encode(payload), retain: true }
    })
  }

  #recordDeviceStatus(peripheral: Peripheral): void {
    const { outbox, codecs, kioskId } = this.#o
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
}

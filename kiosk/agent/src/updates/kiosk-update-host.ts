import type { MaintenanceMode } from '../commands/maintenance.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import type { KioskReporter } from '../mqtt/kiosk-reporter.ts'
import type { CitizenServices } from '../ui-server/citizen-services.ts'
import type { KioskActivity } from './update-gate.ts'
import type { UpdateHost } from './update-host.ts'
import type { DeploymentReport, UpdateService } from './update-service.ts'

/** Device states in which a peripheral counts as having answered the post-update health check. */
const ANSWERED: ReadonlySet<string> = new Set(['online', 'busy', 'userError'])

export interface KioskUpdateHostOptions {
  peripherals: readonly Peripheral[]
  /** The registry model id each configured peripheral names (emulated ones name none). */
  modelIdOf: (deviceId: string) => string | undefined
  maintenance: MaintenanceMode
  reporter: KioskReporter
  /** Whether the fleet link is up now. */
  connected: () => boolean
  /** The citizen UI once started; undefined before, or when the UI is disabled. */
  citizen: () => CitizenServices | undefined
  uiEnabled: boolean
  /** The update agent this host serves (its health, for `healthChanged`). */
  updates: () => UpdateService | undefined
  restartAgent: () => void
}

/** What keeps an update from installing: a citizen being served, a card in a reader, paper in the path. */
export function kioskActivity(peripherals: readonly Peripheral[], sessionActive: boolean): KioskActivity {
  let cardInReader = false
  let paperInPath = false
  for (const p of peripherals) {
    const status = p.status()
    const cls = p.identity.deviceClass
    if ((cls === 'idCardReader' || cls === 'smartCardReader') && status.media === 'present') cardInReader = true
    if ((cls === 'receiptPrinter' || cls === 'documentPrinter') && status.state === 'busy') paperInPath = true
    if (cls === 'documentScanner' && (status.state === 'busy' || status.media === 'present')) paperInPath = true
  }
  return { sessionActive, cardInReader, paperInPath }
}

/** The kiosk agent's side of the update agent's port. */
export class KioskUpdateHost implements UpdateHost {
  readonly #o: KioskUpdateHostOptions
  #held = false
  #lastHealth = ''

  constructor(options: KioskUpdateHostOptions) {
    this.#o = options
  }

  findDevice(ref: { vendor: string; model: string }): Peripheral | undefined {
    const { peripherals, modelIdOf } = this.#o
    return (
      peripherals.find((p) => modelIdOf(p.deviceId) === ref.model) ??
      peripherals.find(
        (p) =>
          p.identity.vendor.toLowerCase() === ref.vendor.toLowerCase() &&
          p.identity.model.toLowerCase() === ref.model.toLowerCase(),
      )
    )
  }

  deviceById(deviceId: string): Peripheral | undefined {
    return this.#o.peripherals.find((p) => p.deviceId === deviceId)
  }

  activity(): KioskActivity {
    return kioskActivity(this.#o.peripherals, this.#o.citizen()?.sessions.current !== undefined)
  }

  holdService(): void {
    // IT staff's own maintenance stays theirs: only a mode the update entered is left again.
    const { maintenance } = this.#o
    if (maintenance.active) return
    this.#held = true
    maintenance.enter('update')
  }

  releaseService(): void {
    const { maintenance } = this.#o
    if (this.#held && maintenance.reason === 'update') maintenance.leave()
    this.#held = false
  }

  publish(report: DeploymentReport): void {
    this.#o.reporter.publishDeployment(report)
  }

  restartAgent(): void {
    this.#o.restartAgent()
  }

  async appHealthy(): Promise<boolean> {
    if (!this.#o.connected()) return false
    if (this.#o.peripherals.some((p) => !ANSWERED.has(p.status().state))) return false
    if (!this.#o.uiEnabled) return true
    const citizen = this.#o.citizen()
    if (citizen === undefined) return false
    try {
      const response = await fetch(citizen.url, { signal: AbortSignal.timeout(5000) })
      await response.body?.cancel()
      return response.ok
    } catch {
      return false
    }
  }

  // Stale metadata and the deployment's phase show on the dashboard at once, not on the next period.
  healthChanged(): void {
    const h = this.#o.updates()?.health()
    const key = h === undefined ? '' : `${h.metadataStale}|${h.deploymentId}|${h.phase}`
    if (key === this.#lastHealth) return
    this.#lastHealth = key
    this.#o.reporter.recordHealth()
  }

  inventoryChanged(): void {
    this.#o.reporter.recordBirthAndStatuses()
  }
}

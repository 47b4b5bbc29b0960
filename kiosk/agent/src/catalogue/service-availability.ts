import { Listeners } from '@drivers/core'
import type { ServiceAvailability, ServiceDefinition } from '@kiosk-fleet/protocol'
import type { Peripheral } from '../devices/peripheral.ts'
import type { CircuitState } from '../gateway/circuit-breaker.ts'
import type { CatalogueStore } from './catalogue-store.ts'

/** A peripheral can serve a citizen when it answers and nothing physical is in the way. */
export function isUsable(status: ReturnType<Peripheral['status']>): boolean {
  if (status.state !== 'online' && status.state !== 'busy') return false
  if (status.paper === 'out' || status.paper === 'jammed') return false
  if (status.cover === 'open' || status.media === 'jammed') return false
  return true
}

/**
 * Who asks. A department whose circuit is half open (its `openMs` passed, no call tried since) is
 * offered to the next citizen, whose call is the trial, but is still down for the fleet until a
 * call succeeds: reported available, an idle kiosk would clear the fleet's `serviceUnavailable`
 * condition every `openMs` while the gateway stays down, and the alert would never be raised.
 */
export type AvailabilityView = 'citizen' | 'fleet'

/**
 * Whether one service can run now. A faulted peripheral blocks exactly the services whose
 * definition needs its class with no working alternative (a dead receipt printer never blocks A4
 * printing); a department whose gateway circuit is open blocks only that department's services.
 */
export function serviceAvailability(
  service: ServiceDefinition,
  peripherals: readonly Peripheral[],
  circuit: CircuitState,
  identityReady: (identity: ServiceDefinition['identity']) => boolean,
  view: AvailabilityView = 'citizen',
): ServiceAvailability {
  const blockedBy = new Set<string>()
  let peripheralsOk = true
  for (const group of service.peripherals) {
    const candidates = peripherals.filter((p) => (group as string[]).includes(p.identity.deviceClass))
    if (candidates.some((p) => isUsable(p.status()))) continue
    peripheralsOk = false
    for (const p of candidates) blockedBy.add(p.deviceId)
  }
  const base = { serviceId: service.id, blockedBy: [...blockedBy] }
  if (!peripheralsOk) return { ...base, available: false, reason: 'peripheral' }
  if (circuit === 'open' || (circuit === 'halfOpen' && view === 'fleet'))
    return { ...base, available: false, reason: 'gatewayDown' }
  if (!identityReady(service.identity)) return { ...base, available: false, reason: 'identityUnavailable' }
  return { ...base, available: true }
}

export interface ServiceAvailabilityModelOptions {
  catalogue: CatalogueStore
  peripherals: readonly Peripheral[]
  circuit: (department: string) => CircuitState
  /** Whether the kiosk can establish an identity of this kind now (face check needs its plugin). */
  identityReady?: (identity: ServiceDefinition['identity']) => boolean
}

/** The availability of every offered service, from devices, gateway circuits and the catalogue. */
export class ServiceAvailabilityModel {
  readonly #options: ServiceAvailabilityModelOptions
  readonly #changed = new Listeners<[]>()

  constructor(options: ServiceAvailabilityModelOptions) {
    this.#options = options
  }

  /** Every offered service's availability, as the citizen's screens or the fleet's health report see it. */
  availability(view: AvailabilityView = 'citizen'): ServiceAvailability[] {
    const { catalogue, peripherals, circuit } = this.#options
    const ready = this.#options.identityReady ?? ((identity) => identity !== 'idCardFace')
    return catalogue.offered().map((s) => serviceAvailability(s, peripherals, circuit(s.department), ready, view))
  }

  isAvailable(serviceId: string): boolean {
    const service = this.#options.catalogue.service(serviceId)
    if (!service) return false
    const ready = this.#options.identityReady ?? ((identity) => identity !== 'idCardFace')
    return serviceAvailability(service, this.#options.peripherals, this.#options.circuit(service.department), ready)
      .available
  }

  /** Whether a peripheral of this class works now (an optional receipt, a scanner). */
  classUsable(deviceClass: string): boolean {
    return this.#options.peripherals.some((p) => p.identity.deviceClass === deviceClass && isUsable(p.status()))
  }

  /** Something that changes availability happened (device status, circuit, catalogue). */
  notify(): void {
    this.#changed.emit()
  }

  onChanged(listener: () => void): () => void {
    return this.#changed.on(listener)
  }
}

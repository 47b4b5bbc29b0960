import type { DeviceStatus } from '@drivers/core'
import type { ServiceAvailability } from '@kiosk-fleet/protocol'
import type { Peripheral } from '../devices/peripheral.ts'
import type { ServiceDefinition } from './service-catalog.ts'

/** A peripheral can serve a citizen when it answers and nothing physical is in the way. */
export function isUsable(status: DeviceStatus): boolean {
  if (status.state !== 'online' && status.state !== 'busy') return false
  if (status.paper === 'out' || status.paper === 'jammed') return false
  if (status.cover === 'open' || status.media === 'jammed') return false
  return true
}

/**
 * Which services can run now. A faulted peripheral blocks exactly the services that need its
 * class and have no working alternative: a dead receipt printer never blocks A4 printing.
 */
export function computeAvailability(services: ServiceDefinition[], peripherals: Peripheral[]): ServiceAvailability[] {
  return services.map((service) => {
    const blockedBy = new Set<string>()
    let available = true
    for (const group of service.needs) {
      const candidates = peripherals.filter((p) => group.includes(p.identity.deviceClass))
      if (candidates.some((p) => isUsable(p.status()))) continue
      available = false
      for (const p of candidates) blockedBy.add(p.deviceId)
    }
    return { serviceId: service.serviceId, available, blockedBy: [...blockedBy] }
  })
}

import {
  type KioskStatus,
  type LocalizedText,
  type MachineType,
  type OfferedService,
  SERVICE_CATEGORIES,
  type ServiceCategory,
} from '@kiosk-fleet/protocol'
import type { CatalogueStore } from '../catalogue/catalogue-store.ts'
import { isUsable, type ServiceAvailabilityModel } from '../catalogue/service-availability.ts'
import type { MaintenanceMode } from '../commands/maintenance.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import type { TransactionCounter } from '../sessions/transaction-counter.ts'

export interface KioskInfo {
  kioskId: string
  machineType: MachineType
  siteName: string
  ui: KioskStatus['ui']
}

export interface KioskStatusSources {
  info: KioskInfo
  devices: DeviceManager
  catalogue: CatalogueStore
  availability: ServiceAvailabilityModel
  transactions?: TransactionCounter
  maintenance?: MaintenanceMode
}

/** What the UI may know about the kiosk now: the offered services, their availability, device states. No citizen data. */
export function kioskStatus(sources: KioskStatusSources): KioskStatus {
  const { devices, catalogue, availability, info } = sources
  const uses = new Map<string, number>()
  for (const t of sources.transactions?.snapshot() ?? []) {
    if (t.outcome === 'completed') uses.set(t.serviceId, (uses.get(t.serviceId) ?? 0) + t.count)
  }
  const services: OfferedService[] = availability.availability().flatMap((a) => {
    const definition = catalogue.service(a.serviceId)
    if (!definition) return []
    const blockedClasses = a.blockedBy
      .map((id) => devices.byId(id)?.identity.deviceClass)
      .filter((c): c is NonNullable<typeof c> => c !== undefined)
    return [
      {
        ...a,
        department: definition.department,
        category: definition.category,
        name: definition.name,
        guidance: definition.guidance,
        search: catalogue.searchKeys(definition.id),
        uses: uses.get(definition.id) ?? 0,
        blockedClasses: [...new Set(blockedClasses)],
      },
    ]
  })
  const used = new Set(services.map((s) => s.category))
  const categories = (Object.entries(SERVICE_CATEGORIES) as [ServiceCategory, LocalizedText][])
    .filter(([id]) => used.has(id))
    .map(([id, name]) => ({ id, name }))
  const offeredDepartments = new Set(services.map((s) => s.department))
  const faults = devices.peripherals
    .filter((p) => !isUsable(p.status()))
    .map((p) => ({ deviceClass: p.identity.deviceClass, state: p.status().state, paper: p.status().paper ?? null }))
  return {
    kioskId: info.kioskId,
    machineType: info.machineType,
    siteName: info.siteName,
    ui: info.ui,
    mode: sources.maintenance?.active
      ? 'maintenance'
      : services.some((s) => s.available)
        ? 'inService'
        : 'outOfService',
    catalogue: { digest: catalogue.catalogue.digest },
    departments: catalogue.departments().filter((d) => offeredDepartments.has(d.id)),
    categories,
    services,
    faults,
  }
}

import type { Catalogue, ServiceDefinition } from '@kiosk-fleet/protocol'
import {
  type ServiceDepartment,
  type ServiceNow,
  type ServiceShare,
  type ServiceSummary,
  type ServicesOverview,
  type ServiceWindow,
  UNKNOWN_DEPARTMENT,
} from '@kiosk-fleet/protocol/http'

/** The days the services page looks back over, today included. */
export const SERVICE_WINDOW_DAYS = 30

export interface ServiceFigures {
  now: Map<string, { kiosks: number; now: ServiceNow }>
  window: Map<string, ServiceShare>
}

const NO_ONE: ServiceNow = {
  available: 0,
  unavailable: 0,
  unknown: 0,
  reasons: { peripheral: 0, gatewayDown: 0, identityUnavailable: 0, other: 0 },
}
const NO_SNAPSHOT: ServiceShare = { snapshots: 0, available: 0, share: null }

/** One service's line: names from the catalogue (none for a service it does not know), figures from the fleet. */
export function serviceSummary(
  id: string,
  definition: ServiceDefinition | undefined,
  figures: ServiceFigures,
): ServiceSummary {
  const now = figures.now.get(id)
  return {
    id,
    known: definition !== undefined,
    name: definition === undefined ? null : { zh: definition.name.zh, en: definition.name.en },
    category: definition?.category ?? null,
    identity: definition?.identity ?? null,
    kiosks: now?.kiosks ?? 0,
    now: now?.now ?? NO_ONE,
    window: figures.window.get(id) ?? NO_SNAPSHOT,
  }
}

/**
 * The catalogue's departments in its order, each with its services (every one, offered or not),
 * then the `unknown` group: services kiosks report (now or within the window) that the catalogue
 * does not know, by id.
 */
export function servicesOverview(
  catalogue: Catalogue,
  figures: ServiceFigures,
  window: ServiceWindow,
): ServicesOverview {
  const known = new Set(catalogue.services.map((s) => s.id))
  const departments: ServiceDepartment[] = catalogue.departments.map((d) => ({
    id: d.id,
    known: true,
    name: { zh: d.name.zh, en: d.name.en },
    shortName: { zh: d.shortName.zh, en: d.shortName.en },
    services: catalogue.services.filter((s) => s.department === d.id).map((s) => serviceSummary(s.id, s, figures)),
  }))
  const unknown = [...new Set([...figures.now.keys(), ...figures.window.keys()])].filter((id) => !known.has(id)).sort()
  if (unknown.length > 0) {
    departments.push({
      id: UNKNOWN_DEPARTMENT,
      known: false,
      name: null,
      shortName: null,
      services: unknown.map((id) => serviceSummary(id, undefined, figures)),
    })
  }
  return { catalogueDigest: catalogue.digest, window, departments }
}

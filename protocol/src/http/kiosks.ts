import { type Static, Type } from '@sinclair/typebox'
import { KIOSK_CONNECTION_STATES } from './vocabularies.ts'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/** A peripheral of a kiosk as `GET /api/kiosks…` shows it. */
export const PeripheralView = Type.Object({
  deviceId: Type.String(),
  deviceClass: Nullable(Type.String()),
  vendor: Nullable(Type.String()),
  model: Nullable(Type.String()),
  serial: Nullable(Type.String()),
  firmware: Nullable(Type.String()),
  hwRevision: Type.Optional(Nullable(Type.String())),
  status: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], {
    description: 'DeviceStatus of the MQTT contract',
  }),
  statusChangedAt: Nullable(Type.String()),
  counters: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
})
export type PeripheralView = Static<typeof PeripheralView>

export const SiteView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  city: Type.String(),
  county: Type.String(),
  town: Type.String(),
  latitude: NullableNumber,
  longitude: NullableNumber,
})
export type SiteView = Static<typeof SiteView>

/** A kiosk with its latest state, site, peripherals and services (`GET /api/kiosks`, the live stream). */
export const KioskView = Type.Object({
  id: Type.String(),
  machineType: Nullable(Type.String()),
  department: Nullable(Type.String()),
  appVersion: Nullable(Type.String()),
  state: Type.String({ description: `one of ${KIOSK_CONNECTION_STATES.join(', ')}` }),
  stateChangedAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
  healthIntervalMs: NullableNumber,
  site: Type.Union([SiteView, Type.Null()]),
  peripherals: Type.Array(PeripheralView),
  services: Type.Array(
    Type.Object({ serviceId: Type.String(), available: Type.Boolean(), blockedBy: Type.Array(Type.String()) }),
  ),
})
export type KioskView = Static<typeof KioskView>

/** A site with the number of kiosks (and online kiosks) the caller may see there (`GET /api/sites`). */
export const SiteSummary = Type.Object({
  ...SiteView.properties,
  kiosks: Type.Number(),
  online: Type.Number(),
})
export type SiteSummary = Static<typeof SiteSummary>

export const KioskIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }) })

export interface Breakdown {
  key: string
  total: number
  online: number
  offline: number
  faulted: number
}

/** Fleet counts within the caller's scope (`GET /api/overview`). */
export interface FleetOverview {
  total: number
  online: number
  offline: number
  unknown: number
  /** Online kiosks with at least one peripheral in a fault or needing attention. */
  faulted: number
  openAlerts: { critical: number; warning: number; info: number }
  byMachineType: Breakdown[]
  byDepartment: Breakdown[]
  byCounty: Breakdown[]
}

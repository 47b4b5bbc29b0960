import { type Static, Type } from '@sinclair/typebox'
import { KIOSK_CONNECTION_STATES } from './vocabularies.ts'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/** A peripheral of a kiosk as `GET /api/kiosks…` shows it. */
export const PeripheralView = Type.Object({
  deviceId: Type.String(),
  deviceClass: Nullable(Type.String()),
  vendor: Nullable(Type.String()),
  /** The canonical vendor id (protocol/src/vendor-id.ts): what a vendor user's scope names. */
  vendorId: Type.Optional(Nullable(Type.String())),
  model: Nullable(Type.String()),
  /** The registry model id the kiosk reported, when the device is a registry model. */
  modelId: Type.Optional(Nullable(Type.String())),
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
  /**
   * Whether `peripherals[].status`, `services` and `mode` are current: false while the kiosk is not
   * online, when they are only what it last reported (`lastReportAt`).
   */
  live: Type.Boolean(),
  /** When the last health snapshot (services, mode) was taken. */
  lastReportAt: Nullable(Type.String()),
  /** `inService`, `outOfService` or `maintenance`, from the last health snapshot (last known when not `live`). */
  mode: Nullable(Type.String()),
  peripherals: Type.Array(PeripheralView),
  services: Type.Array(
    Type.Object({
      serviceId: Type.String(),
      /** Available now: never while the kiosk is offline (then `reason` is `unknown`). */
      available: Type.Boolean(),
      blockedBy: Type.Array(Type.String()),
      /**
       * Why it is unavailable: `peripheral`, `gatewayDown` (the department's gateway failing),
       * `identityUnavailable`; `unknown` while the kiosk is offline.
       */
      reason: Type.Optional(Type.String()),
      /** Offline kiosk: whether the service was available in its last report. */
      lastKnownAvailable: Type.Optional(Type.Boolean()),
    }),
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

/** Counts of one node of the site tree (`GET /api/sites/tree`): kiosks the caller may see there. */
const NodeCounts = {
  kiosks: Type.Number(),
  online: Type.Number(),
  offline: Type.Number(),
  /** Kiosks with a peripheral in fault or needing attention (paper out, jammed, cover open). */
  faults: Type.Number(),
}

/** A station or centre in the site tree. */
export const SiteTreeSite = Type.Object({ ...SiteView.properties, ...NodeCounts })
export type SiteTreeSite = Static<typeof SiteTreeSite>

/** A town in the site tree, with its sites (the town centre first). */
export const SiteTreeTown = Type.Object({ town: Type.String(), ...NodeCounts, sites: Type.Array(SiteTreeSite) })
export type SiteTreeTown = Static<typeof SiteTreeTown>

/** A county (with its city) in the site tree, with its towns. */
export const SiteTreeCounty = Type.Object({
  city: Type.String(),
  county: Type.String(),
  ...NodeCounts,
  towns: Type.Array(SiteTreeTown),
})
export type SiteTreeCounty = Static<typeof SiteTreeCounty>

/** One page of `GET /api/kiosks`: `total` counts every match, not only this page. */
export const KioskPage = Type.Object({
  total: Type.Number(),
  offset: Type.Number(),
  limit: Type.Number(),
  kiosks: Type.Array(KioskView),
})
export type KioskPage = Static<typeof KioskPage>

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

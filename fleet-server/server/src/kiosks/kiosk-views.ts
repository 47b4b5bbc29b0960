import { type Static, Type } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

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

export const KioskView = Type.Object({
  id: Type.String(),
  machineType: Nullable(Type.String()),
  department: Nullable(Type.String()),
  appVersion: Nullable(Type.String()),
  state: Type.String(),
  stateChangedAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
  healthIntervalMs: NullableNumber,
  site: Type.Union([SiteView, Type.Null()]),
  peripherals: Type.Array(PeripheralView),
  services: Type.Array(
    Type.Object({ serviceId: Type.String(), available: Type.Boolean(), blockedBy: Type.Array(Type.String()) }),
  ),
})

export const SiteSummary = Type.Object({
  ...SiteView.properties,
  kiosks: Type.Number(),
  online: Type.Number(),
})

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() })

export const KioskIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }) })

export type KioskViewData = Static<typeof KioskView>
export type PeripheralViewData = Static<typeof PeripheralView>

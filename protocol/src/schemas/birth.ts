import { type Static, Type } from '@sinclair/typebox'
import { DeviceClass, Id, MachineType, Sequence, Timestamp } from './common.ts'

export const SiteKind = Type.Union([Type.Literal('townCentre'), Type.Literal('villageStation')], {
  description: '便民服务中心 (town/street centre) | 便民服务站 (village/community station)',
})

export const Site = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: SiteKind,
    city: Type.String({ minLength: 1, maxLength: 50 }),
    county: Type.String({ minLength: 1, maxLength: 50 }),
    town: Type.String({ minLength: 1, maxLength: 50 }),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
)
export type Site = Static<typeof Site>

export const Peripheral = Type.Object(
  {
    deviceId: Id,
    deviceClass: DeviceClass,
    vendor: Type.String({ minLength: 1, maxLength: 64 }),
    model: Type.String({ minLength: 1, maxLength: 64 }),
    modelId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
        description:
          "the device registry's model id (`xprinter-xp-t58h`); its first segment is the canonical vendor id. Absent for a device the registry does not describe",
      }),
    ),
    serial: Type.String({
      maxLength: 64,
      description: 'device serial number (of the device, never of a citizen card)',
    }),
    firmware: Type.String({ maxLength: 64 }),
    hwRevision: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description:
          "the device's hardware revision (its label, or what the driver reads); firmware compatibility names these",
      }),
    ),
  },
  { additionalProperties: false },
)
export type Peripheral = Static<typeof Peripheral>

/** Sent on every (re)connect and on a `rebirth` request: the kiosk's inventory (Sparkplug NBIRTH). */
export const BirthPayload = Type.Object(
  {
    seq: Sequence,
    ts: Timestamp,
    session: Type.Integer({ minimum: 0, description: 'connection counter, matches the state topic' }),
    kioskId: Id,
    machineType: MachineType,
    department: Id,
    site: Site,
    appVersion: Type.String({ minLength: 1, maxLength: 32 }),
    healthIntervalMs: Type.Integer({ minimum: 1000, description: 'period of health snapshots' }),
    peripherals: Type.Array(Peripheral, { maxItems: 32 }),
  },
  { additionalProperties: false },
)
export type BirthPayload = Static<typeof BirthPayload>

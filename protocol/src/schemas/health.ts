import { type Static, Type } from '@sinclair/typebox'
import { Counters, DeviceStatus, Id, Sequence, Timestamp } from './common.ts'

export const PeripheralHealth = Type.Object(
  { deviceId: Id, status: DeviceStatus, counters: Counters },
  { additionalProperties: false },
)
export type PeripheralHealth = Static<typeof PeripheralHealth>

export const ServiceAvailability = Type.Object(
  {
    serviceId: Id,
    available: Type.Boolean(),
    /** deviceIds of the peripherals that make it unavailable. */
    blockedBy: Type.Array(Id, { maxItems: 32 }),
  },
  { additionalProperties: false },
)
export type ServiceAvailability = Static<typeof ServiceAvailability>

/** Periodic snapshot (retained, QoS 1). Never carries personal data: counts and statuses only. */
export const HealthPayload = Type.Object(
  {
    seq: Sequence,
    ts: Timestamp,
    uptimeS: Type.Integer({ minimum: 0 }),
    mode: Type.Union([Type.Literal('inService'), Type.Literal('maintenance'), Type.Literal('outOfService')]),
    peripherals: Type.Array(PeripheralHealth, { maxItems: 32 }),
    services: Type.Array(ServiceAvailability, { maxItems: 64 }),
    outbox: Type.Object(
      { pending: Type.Integer({ minimum: 0 }), oldestTs: Type.Optional(Timestamp) },
      { additionalProperties: false },
    ),
    system: Type.Object(
      {
        rssMb: Type.Number({ minimum: 0 }),
        load1: Type.Number({ minimum: 0 }),
        diskFreeMb: Type.Optional(Type.Number({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export type HealthPayload = Static<typeof HealthPayload>

import { type Static, Type } from '@sinclair/typebox'
import { Counters, DeviceStatus, Id, Sequence, Timestamp } from './common.ts'
import { UpdateAgentHealth } from './updates.ts'

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
    /**
     * Why it is unavailable: a peripheral, the department's gateway failing (its circuit is open),
     * or an identity check the kiosk cannot do now.
     */
    reason: Type.Optional(
      Type.Union([Type.Literal('peripheral'), Type.Literal('gatewayDown'), Type.Literal('identityUnavailable')]),
    ),
  },
  { additionalProperties: false },
)
export type ServiceAvailability = Static<typeof ServiceAvailability>

/**
 * Finished citizen sessions of one service with one outcome, counted since the kiosk was
 * installed. Counts only: never who, never when.
 */
export const TransactionCount = Type.Object(
  {
    serviceId: Id,
    outcome: Type.Union(
      [
        Type.Literal('completed'),
        Type.Literal('failed'),
        Type.Literal('canceled'),
        Type.Literal('timedOut'),
        Type.Literal('cardRemoved'),
      ],
      { description: 'completed | failed (a step failed for good) | canceled | timedOut (idle reset) | cardRemoved' },
    ),
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type TransactionCount = Static<typeof TransactionCount>

/** Periodic snapshot (retained, QoS 1). Never carries personal data: counts and statuses only. */
export const HealthPayload = Type.Object(
  {
    seq: Sequence,
    ts: Timestamp,
    uptimeS: Type.Integer({ minimum: 0 }),
    mode: Type.Union([Type.Literal('inService'), Type.Literal('maintenance'), Type.Literal('outOfService')]),
    peripherals: Type.Array(PeripheralHealth, { maxItems: 32 }),
    services: Type.Array(ServiceAvailability, { maxItems: 512 }),
    /** Citizen transactions per service and outcome (optional: agents before the citizen UI send none). */
    transactions: Type.Optional(Type.Array(TransactionCount, { maxItems: 2560 })),
    outbox: Type.Object(
      { pending: Type.Integer({ minimum: 0 }), oldestTs: Type.Optional(Timestamp) },
      { additionalProperties: false },
    ),
    updates: Type.Optional(UpdateAgentHealth),
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

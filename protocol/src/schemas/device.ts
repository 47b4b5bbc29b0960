import { type Static, Type } from '@sinclair/typebox'
import { DeviceStatus, Id, Sequence, Timestamp } from './common.ts'

/** Retained per-peripheral status: `kiosk/v1/{kioskId}/devices/{deviceId}`. */
export const DeviceStatusPayload = Type.Object(
  { seq: Sequence, ts: Timestamp, deviceId: Id, status: DeviceStatus },
  { additionalProperties: false },
)
export type DeviceStatusPayload = Static<typeof DeviceStatusPayload>

/**
 * Report by exception: `kiosk/v1/{kioskId}/events/device-status`, sent as soon as a peripheral's
 * status changes (not held for the next health period). `urgent` marks changes that stop a service.
 */
export const DeviceStatusEvent = Type.Object(
  {
    seq: Sequence,
    ts: Timestamp,
    deviceId: Id,
    previous: DeviceStatus,
    status: DeviceStatus,
    urgent: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type DeviceStatusEvent = Static<typeof DeviceStatusEvent>

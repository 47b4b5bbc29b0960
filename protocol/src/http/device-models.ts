import { type Static, Type } from '@sinclair/typebox'

/**
 * A vendor's device models across the fleet (`GET /api/device-models/health`): per model, how many
 * devices are in the field, how many are faulty now, which faults they had over the last days and
 * which firmware versions run. Figures are within the caller's scope; a vendor sees only its own
 * models. Devices only, never a citizen datum.
 */

/** How many days the fault figures cover. */
export const DEVICE_MODEL_FAULT_WINDOW_DAYS = 30

export const DeviceModelFault = Type.Object({
  /** The device's `errorCode`, else `paperOut`, `paperJammed`, `coverOpen` or the fault state (`hardwareError`, `noDevice`, …). */
  code: Type.String(),
  /** Devices of the model that reported this fault in the window. */
  devices: Type.Integer({ minimum: 0 }),
  /** How often it was reported (status changes into it). */
  events: Type.Integer({ minimum: 0 }),
  /** devices ÷ the model's devices in the fleet, 0–1. */
  rate: Type.Number({ minimum: 0 }),
})
export type DeviceModelFault = Static<typeof DeviceModelFault>

export const DeviceModelHealth = Type.Object({
  vendorId: Type.Union([Type.String(), Type.Null()]),
  /** The registry model id; null for devices whose kiosks report none (older agents, non-registry devices). */
  modelId: Type.Union([Type.String(), Type.Null()]),
  /** The display vendor and model as kiosks report them. */
  vendor: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  deviceClass: Type.Union([Type.String(), Type.Null()]),
  devices: Type.Integer({ minimum: 0 }),
  kiosks: Type.Integer({ minimum: 0 }),
  faultyNow: Type.Integer({ minimum: 0 }),
  /** Faults over the window, most widespread first. */
  faults: Type.Array(DeviceModelFault),
  /** Firmware versions in the field, most devices first. */
  firmware: Type.Array(Type.Object({ version: Type.Union([Type.String(), Type.Null()]), devices: Type.Integer() })),
})
export type DeviceModelHealth = Static<typeof DeviceModelHealth>

export const DeviceModelsHealthView = Type.Object({
  windowDays: Type.Integer(),
  /** Start of the fault window (ISO 8601). */
  since: Type.String(),
  models: Type.Array(DeviceModelHealth),
})
export type DeviceModelsHealthView = Static<typeof DeviceModelsHealthView>

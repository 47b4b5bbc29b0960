import { DeviceClass, DeviceStatus, Id, MachineType, Site } from '@kiosk-fleet/protocol'
import { type Static, Type } from '@sinclair/typebox'

/** A status step of an emulated peripheral's script: after `afterMs` from start, take `status`. */
const ScriptStep = Type.Object(
  { afterMs: Type.Integer({ minimum: 0 }), status: DeviceStatus },
  { additionalProperties: false },
)

export const PeripheralConfig = Type.Object(
  {
    deviceId: Id,
    deviceClass: DeviceClass,
    vendor: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    serial: Type.String({ default: '' }),
    firmware: Type.String({ default: '' }),
    /**
     * How the agent reaches the device. `emulated` keeps an in-process status model (for the demo
     * and tests) until the device drivers are wired in by the device manager.
     */
    driver: Type.Literal('emulated', { default: 'emulated' }),
    initialStatus: Type.Optional(DeviceStatus),
    /** Emulated only: status changes played once, in order, to show faults reaching the fleet. */
    script: Type.Optional(Type.Array(ScriptStep, { maxItems: 100 })),
    loopScriptMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'replay the script with this period' })),
  },
  { additionalProperties: false },
)
export type PeripheralConfig = Static<typeof PeripheralConfig>

export const AgentConfigSchema = Type.Object(
  {
    kioskId: Id,
    machineType: MachineType,
    department: Id,
    site: Site,
    appVersion: Type.String({ default: '0.1.0' }),
    dataDir: Type.String({ minLength: 1, description: 'outbox and counters live here', requiresRestart: true }),
    healthIntervalMs: Type.Integer({ minimum: 1000, default: 30_000 }),
    mqtt: Type.Object(
      {
        url: Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl|ws|wss)://', default: 'mqtt://127.0.0.1:1883' }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String({ description: 'secret: from env or file only, redacted in logs' })),
        keepaliveS: Type.Integer({ minimum: 1, maximum: 65535, default: 30 }),
        reconnectPeriodMs: Type.Integer({ minimum: 100, default: 2000 }),
        connectTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        inflightWindow: Type.Integer({ minimum: 1, maximum: 1000, default: 64 }),
      },
      { additionalProperties: false, default: {} },
    ),
    outbox: Type.Object(
      { maxPending: Type.Integer({ minimum: 10, default: 50_000 }) },
      { additionalProperties: false, default: {} },
    ),
    peripherals: Type.Array(PeripheralConfig, { default: [], maxItems: 32 }),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)
export type AgentConfig = Static<typeof AgentConfigSchema>

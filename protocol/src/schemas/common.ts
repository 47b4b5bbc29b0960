import { type Static, Type } from '@sinclair/typebox'
import { ID_PATTERN } from '../ids.ts'

export const Id = Type.String({ pattern: ID_PATTERN, description: 'single topic segment: letters, digits, _ . -' })

/** Milliseconds since the Unix epoch (Sparkplug's `timestamp`). */
export const Timestamp = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })

/**
 * Per-kiosk sequence number. It is persisted by the agent and only grows, across reconnects and
 * restarts, so the server ingests idempotently on (kioskId, seq) and sees gaps.
 */
export const Sequence = Type.Integer({ minimum: 0, description: 'per-kiosk monotonic sequence number' })

export const MachineType = Type.Union(
  [
    Type.Literal('id'),
    Type.Literal('license'),
    Type.Literal('tax'),
    Type.Literal('social-security'),
    Type.Literal('comprehensive'),
  ],
  { description: '身份证一体机 | 营业执照自助办理机 | 税务一体机 | 社保一体机 | 综合政务一体机' },
)
export type MachineType = Static<typeof MachineType>
export const MACHINE_TYPES: readonly MachineType[] = ['id', 'license', 'tax', 'social-security', 'comprehensive']

/** XFS4IoT Common.Status.device vocabulary. */
export const DeviceState = Type.Union([
  Type.Literal('online'),
  Type.Literal('offline'),
  Type.Literal('powerOff'),
  Type.Literal('noDevice'),
  Type.Literal('hardwareError'),
  Type.Literal('userError'),
  Type.Literal('busy'),
])
export type DeviceState = Static<typeof DeviceState>

export const DeviceClass = Type.Union([
  Type.Literal('idCardReader'),
  Type.Literal('receiptPrinter'),
  Type.Literal('documentPrinter'),
  Type.Literal('barcodeScanner'),
  Type.Literal('documentScanner'),
  Type.Literal('smartCardReader'),
  Type.Literal('camera'),
])
export type DeviceClass = Static<typeof DeviceClass>

export const DeviceStatus = Type.Object(
  {
    state: DeviceState,
    paper: Type.Optional(
      Type.Union([
        Type.Literal('full'),
        Type.Literal('low'),
        Type.Literal('out'),
        Type.Literal('jammed'),
        Type.Literal('unknown'),
      ]),
    ),
    cover: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('unknown')])),
    media: Type.Optional(
      Type.Union([
        Type.Literal('present'),
        Type.Literal('notPresent'),
        Type.Literal('jammed'),
        Type.Literal('unknown'),
      ]),
    ),
    errorCode: Type.Optional(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,47}$' })),
  },
  { additionalProperties: false },
)
export type DeviceStatus = Static<typeof DeviceStatus>

/** Named monotonic counters (reads, jobs, discarded bytes...). Names are camelCase identifiers. */
export const Counters = Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]{0,47}$' }), Type.Integer({ minimum: 0 }))
export type Counters = Static<typeof Counters>

import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { Timestamp } from './common.ts'

export const Transaction = Type.String({
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  description: 'request id echoed in the response',
})

/**
 * `kiosk/v1/{kioskId}/req/{command}`. The expiry travels in the payload so it also works on
 * MQTT 3.1.1 brokers (no message-expiry property); a kiosk never executes a request past `expiresAt`.
 */
export function commandRequest<P extends TSchema>(params: P) {
  return Type.Object(
    { transaction: Transaction, issuedAt: Timestamp, expiresAt: Timestamp, params },
    { additionalProperties: false },
  )
}

export const CommandError = Type.Object(
  {
    code: Type.String({ pattern: '^ERR_[A-Z0-9_]+$' }),
    message: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
)
export type CommandError = Static<typeof CommandError>

/** `kiosk/v1/{kioskId}/res/{command}`, zigbee2mqtt's `{status:'ok', data} | {status:'error', error}`. */
export function commandResponse<D extends TSchema>(data: D) {
  return Type.Union([
    Type.Object(
      { transaction: Transaction, ts: Timestamp, status: Type.Literal('ok'), data },
      { additionalProperties: false },
    ),
    Type.Object(
      { transaction: Transaction, ts: Timestamp, status: Type.Literal('error'), error: CommandError },
      { additionalProperties: false },
    ),
  ])
}

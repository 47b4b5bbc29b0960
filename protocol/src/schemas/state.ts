import { type Static, Type } from '@sinclair/typebox'
import { Timestamp } from './common.ts'

/**
 * Retained presence. `online` is published by the kiosk on connect; `offline` is its Last Will,
 * published by the broker when the connection dies or keep-alive (×1.5) runs out, or by the kiosk
 * itself on an orderly shutdown. `session` lets the server ignore a late will of an older connection.
 */
export const StatePayload = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    session: Type.Integer({ minimum: 0 }),
    ts: Timestamp,
    reason: Type.Optional(
      Type.Union([Type.Literal('connected'), Type.Literal('lastWill'), Type.Literal('shutdown')], {
        description: 'why the state was set',
      }),
    ),
  },
  { additionalProperties: false },
)
export type StatePayload = Static<typeof StatePayload>

import { type Static, Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

/**
 * The local device API's message envelope, after XFS4IoT (header + payload): a command gets an
 * acknowledge at once, then 0..n events with the same requestId, then one completion carrying a
 * completionCode; unsolicited events carry no requestId.
 */
export const API_VERSION = '1.0'
export const API_PATH = '/xfs4iot/v1.0'
/** Sub-protocol the UI offers beside `token.<hex>`; the server selects it. */
export const API_SUBPROTOCOL = 'xfs4iot.v1'

export const CommandMessage = Type.Object(
  {
    header: Type.Object(
      {
        type: Type.Literal('command'),
        name: Type.String({ pattern: '^[A-Z][A-Za-z]+\\.[A-Z][A-Za-z]+$', maxLength: 64 }),
        requestId: Type.Integer({ minimum: 1 }),
        version: Type.Optional(Type.String({ maxLength: 8 })),
        timeout: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    payload: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
)
export type CommandMessage = Static<typeof CommandMessage>

export const commandChecker = TypeCompiler.Compile(CommandMessage)

/** Acknowledge status: null = accepted (XFS4IoT). */
export type AckStatus = null | 'invalidMessage' | 'invalidRequestID' | 'tooManyRequests'

export interface OutboundHeader {
  type: 'acknowledge' | 'event' | 'completion' | 'unsolicited'
  name: string
  requestId?: number
  version: string
  status?: AckStatus
}

export interface OutboundMessage {
  header: OutboundHeader
  payload: Record<string, unknown>
}

import { type Static, Type } from '@sinclair/typebox'

/**
 * The department gateway contract: one HTTP API a department's system implements once for all its
 * services. `POST {base}/operations/{operation}`; docs/department-gateway.openapi.json is generated
 * from these schemas.
 */

/** Who the kiosk identified (personal data: goes to the department, nowhere else). */
export const GatewayCitizen = Type.Object(
  {
    idNumber: Type.String({ minLength: 1, maxLength: 32 }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    /** How the kiosk identified the citizen. */
    method: Type.Union([Type.Literal('idCard'), Type.Literal('idCardFace'), Type.Literal('ssCard')]),
  },
  { additionalProperties: false },
)
export type GatewayCitizen = Static<typeof GatewayCitizen>

export const GatewayRequest = Type.Object(
  {
    /** The catalogue service the call is made for (the department may log it). */
    serviceId: Type.String({ maxLength: 64 }),
    /** The kiosk's id (no personal data). */
    kioskId: Type.String({ maxLength: 64 }),
    /** Null for services that identify nobody (a queue ticket). */
    citizen: Type.Union([GatewayCitizen, Type.Null()]),
    /** The operation's parameters, mapped from the citizen's inputs by the service definition. */
    params: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)
export type GatewayRequest = Static<typeof GatewayRequest>

/**
 * Stable error codes. `notFound`, `mismatch`, `pinWrong`, `pinLocked`, `notEligible`,
 * `invalidInput` are the citizen's business (shown, never counted against the gateway);
 * `unavailable` means the department system cannot serve now (counted by the circuit breaker).
 */
export const GATEWAY_ERROR_CODES = [
  'notFound',
  'mismatch',
  'pinWrong',
  'pinLocked',
  'notEligible',
  'invalidInput',
  'unavailable',
] as const
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number]
export const GatewayErrorCode = Type.Union(GATEWAY_ERROR_CODES.map((c) => Type.Literal(c)))

const Record_ = Type.Record(Type.String(), Type.Unknown(), { description: 'one record, shown by the view' })

export const GatewayResponse = Type.Union([
  Type.Object(
    {
      ok: Type.Literal(true),
      /** What the result view shows (one for `facts`). */
      records: Type.Array(Record_, { maxItems: 500 }),
      /** The data of the document to print, when the query itself answers it. */
      document: Type.Optional(Record_),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ok: Type.Literal(false),
      error: Type.Object(
        {
          code: GatewayErrorCode,
          message: Type.String({ maxLength: 400 }),
          /** With `pinWrong`: wrong PINs left before the department locks it (shown to the citizen). */
          triesLeft: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
])
export type GatewayResponse = Static<typeof GatewayResponse>

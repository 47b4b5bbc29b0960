import { type Static, Type } from '@sinclair/typebox'
import { Id, Sequence, Timestamp } from './common.ts'

/** Mender-style update states, reported on every transition: `kiosk/v1/{kioskId}/deployments/{id}`. */
export const DeploymentState = Type.Union([
  Type.Literal('downloading'),
  Type.Literal('installing'),
  Type.Literal('rebooting'),
  Type.Literal('success'),
  Type.Literal('failure'),
  Type.Literal('rolledBack'),
])

export const DeploymentStatusPayload = Type.Object(
  {
    seq: Sequence,
    ts: Timestamp,
    deploymentId: Id,
    state: DeploymentState,
    progress: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    errorCode: Type.Optional(Type.String({ pattern: '^ERR_[A-Z0-9_]+$' })),
  },
  { additionalProperties: false },
)
export type DeploymentStatusPayload = Static<typeof DeploymentStatusPayload>

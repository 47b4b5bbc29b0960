import { type Static, Type } from '@sinclair/typebox'
import { Id, Sequence, Timestamp } from './common.ts'
import { GateBlock } from './updates.ts'

/**
 * Mender-style update states, reported on every transition: `kiosk/v1/{kioskId}/deployments/{id}`.
 * `downloaded` = fetched and verified, waiting for the install gate (`blockedBy` says why);
 * `success` is sent only after the new version passed its health check.
 */
export const DeploymentState = Type.Union([
  Type.Literal('downloading'),
  Type.Literal('downloaded'),
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
    blockedBy: Type.Optional(Type.Array(GateBlock, { maxItems: 5 })),
    /** The version now running (app) or on the device (firmware/config), on success and rollback. */
    version: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)
export type DeploymentStatusPayload = Static<typeof DeploymentStatusPayload>

/**
 * The fleet HTTP API's state vocabularies: one list each, imported by the fleet-server, fleetctl and
 * (through JSDoc types) the dashboard.
 */

/** A kiosk's connection state (`KioskView.state`): from its retained MQTT state and last will. */
export const KIOSK_CONNECTION_STATES = ['online', 'offline', 'unknown'] as const
export type KioskConnectionState = (typeof KIOSK_CONNECTION_STATES)[number]

/** A rollout's status (`Rollout.status`). */
export const ROLLOUT_STATUSES = [
  'awaitingApproval',
  'approved',
  'running',
  'paused',
  'completed',
  'halted',
  'aborted',
] as const
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number]

/** Statuses a rollout never leaves. */
export const FINAL_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['completed', 'halted', 'aborted']

/** A kiosk's state within a rollout (`RolloutKioskRow.state`), in the order a kiosk passes them. */
export const KIOSK_ROLLOUT_STATES = [
  'pending',
  'notified',
  'downloading',
  'downloaded',
  'installing',
  'rebooting',
  'verifying',
  'succeeded',
  'failed',
  'rolledBack',
  'timedOut',
  'cancelled',
] as const
export type KioskRolloutState = (typeof KIOSK_ROLLOUT_STATES)[number]

/** Finished without success: these count against a rollout's error threshold. */
export const FAILED_ROLLOUT_STATES: readonly KioskRolloutState[] = ['failed', 'rolledBack', 'timedOut']
/** Reached and not finished: the kiosk is working on it. */
export const ACTIVE_ROLLOUT_STATES: readonly KioskRolloutState[] = [
  'notified',
  'downloading',
  'downloaded',
  'installing',
  'rebooting',
  'verifying',
]

/** An artifact's status (`ArtifactView.status`). */
export const ARTIFACT_STATUSES = ['uploading', 'signing', 'ready', 'rejected', 'revoked'] as const
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number]

export const ARTIFACT_KINDS = ['app', 'firmware', 'config', 'catalogue'] as const
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number]

// The state vocabularies the dashboard needs at run time (the browser runs this file as is and
// cannot import the TypeScript contract). Each table is typed as a Record over the contract's union
// (protocol/src/http/vocabularies.ts), so `npm run typecheck` fails when a state is added, removed
// or misspelt on either side.

/** @typedef {import('@kiosk-fleet/protocol/http').RolloutStatus} RolloutStatus */
/** @typedef {import('@kiosk-fleet/protocol/http').KioskRolloutState} KioskRolloutState */
/** @typedef {import('@kiosk-fleet/protocol/http').ArtifactStatus} ArtifactStatus */
/** @typedef {'ok' | 'warn' | 'bad' | 'off'} StatusClass */
/** @typedef {'succeeded' | 'failed' | 'active' | 'pending' | 'cancelled'} Outcome */

/** @type {Record<RolloutStatus, { statusClass: StatusClass, final: boolean }>} */
export const ROLLOUT_STATUS = {
  awaitingApproval: { statusClass: 'warn', final: false },
  approved: { statusClass: 'off', final: false },
  running: { statusClass: 'ok', final: false },
  paused: { statusClass: 'warn', final: false },
  completed: { statusClass: 'ok', final: true },
  halted: { statusClass: 'bad', final: true },
  aborted: { statusClass: 'bad', final: true },
}

/** How each kiosk state of a rollout counts in a group's progress. */
/** @type {Record<KioskRolloutState, Outcome>} */
export const KIOSK_ROLLOUT_OUTCOME = {
  pending: 'pending',
  notified: 'active',
  downloading: 'active',
  downloaded: 'active',
  installing: 'active',
  rebooting: 'active',
  verifying: 'active',
  succeeded: 'succeeded',
  failed: 'failed',
  rolledBack: 'failed',
  timedOut: 'failed',
  cancelled: 'cancelled',
}

/** @type {Record<ArtifactStatus, StatusClass>} */
export const ARTIFACT_STATUS_CLASS = {
  ready: 'ok',
  uploading: 'off',
  signing: 'warn',
  rejected: 'bad',
  revoked: 'bad',
}

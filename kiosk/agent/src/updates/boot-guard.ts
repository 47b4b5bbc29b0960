import { join } from 'node:path'
import { AbInstaller } from './ab-installer.ts'
import { appInstaller } from './kind-installers.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import { FileUpdateStateStore } from './update-state-store.ts'

export interface BootGuardPaths {
  /** Holds releases/<version>, current, previous. */
  releasesDir: string
  /** Holds the update state record (state.json). */
  stateDir: string
  /** The kiosk image's own app version (config.appVersion): what runs when `current` is gone. */
  baseVersion: string
}

/** Where `current` points after the guard ran, and why. */
export type BootGuardOutcome =
  | { rolledBack: true; from: string; to: string }
  | { rolledBack: false; reason: 'noUpdateOnTrial' | 'noPreviousRelease' }

/** The states in which the release `current` points at has been switched to but not yet proven healthy. */
const ON_TRIAL = new Set(['installing', 'rebooting', 'healthCheck'])

function onTrialRecord(paths: Pick<BootGuardPaths, 'stateDir'>) {
  const record = new FileUpdateStateStore(join(paths.stateDir, 'state.json')).load()
  return record !== undefined && ON_TRIAL.has(record.state) && (record.artifact.kind ?? 'app') === 'app'
    ? record
    : undefined
}

/** Whether an app release has been switched to and not yet proven healthy. */
export function appReleaseOnTrial(paths: Pick<BootGuardPaths, 'stateDir'>): boolean {
  return onTrialRecord(paths) !== undefined
}

/**
 * The agent could not even start. If that happened while a new app release is on trial (switched to,
 * health not yet proven), the release is the suspect: point `current` back at the previous release
 * and record the deployment as rolled back (not yet reported), so the next start — on the old release
 * — publishes `rolledBack` with ERR_KIOSK_UPDATE_CRASH_LOOP. Without this, a release that throws at
 * start-up would never reach the health check that rolls it back, and the kiosk would crash-loop.
 * Only the persisted record and the `current` pointer are touched: no agent, no network.
 */
export async function rollBackReleaseThatCannotStart(
  paths: BootGuardPaths,
  now = Date.now(),
): Promise<BootGuardOutcome> {
  const store = new FileUpdateStateStore(join(paths.stateDir, 'state.json'))
  const record = onTrialRecord(paths)
  if (record === undefined) return { rolledBack: false, reason: 'noUpdateOnTrial' }
  if (record.previousVersion === null) return { rolledBack: false, reason: 'noPreviousRelease' }
  const ab = new AbInstaller({
    root: paths.releasesDir,
    unpack: async () => {
      throw new Error('the boot guard never unpacks')
    },
  })
  const from = ab.currentVersion() ?? record.artifact.version
  // The same rule as the update agent's: back to the image's own version means no `current` at all.
  await appInstaller(ab, paths.releasesDir, paths.baseVersion).rollbackTo(record.previousVersion)
  await store.save({
    ...record,
    state: 'rolledBack',
    errorCode: UpdateErrorCodes.crashLoop,
    loopCount: 1,
    reported: false,
    updatedAt: now,
  })
  return { rolledBack: true, from, to: record.previousVersion }
}

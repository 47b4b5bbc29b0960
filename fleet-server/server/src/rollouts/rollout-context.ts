import type { Logger } from 'pino'
import type { Database, Queryable } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import type { ArtifactReader } from '../updates/artifact-reader.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'
import type { RolloutKioskStore } from './rollout-kiosk-store.ts'
import type { RolloutNotifier } from './rollout-notifier.ts'
import type { RolloutStore } from './rollout-store.ts'
import {
  type ArtifactInfo,
  type DeviceModelLookup,
  loadCandidates,
  resolveModels,
  type SelectionResult,
  selectKiosks,
  type TargetFilter,
} from './selection.ts'

/** What the rollout service's parts (lifecycle, engine, report handling) share. */
export interface RolloutContext {
  db: Database
  rollouts: RolloutStore
  kiosks: RolloutKioskStore
  notifier: RolloutNotifier
  log: Logger
  now: () => number
  deviceModels: DeviceModelLookup
  /** The artifact a rollout delivers (through the updates feature's reader); a RolloutError when gone. */
  artifact(db: Queryable, id: string): Promise<ArtifactInfo>
  /** Kiosks that `filter` selects for `artifact` (all kiosks, or only `kioskIds`). */
  select(
    db: Queryable,
    filter: TargetFilter,
    artifact: ArtifactInfo,
    kioskIds?: readonly string[],
  ): Promise<SelectionResult>
  /** Tells the listener (live dashboards) that a rollout's status or counts changed. */
  changed(rolloutId: string): void
}

export function rolloutContext(options: {
  db: Database
  rollouts: RolloutStore
  kiosks: RolloutKioskStore
  notifier: RolloutNotifier
  log: Logger
  now: () => number
  deviceModels: DeviceModelLookup
  artifacts: ArtifactReader
  onChanged?: ((rolloutId: string) => void) | undefined
}): RolloutContext {
  const { artifacts, onChanged, ...rest } = options
  return {
    ...rest,
    async artifact(db, id) {
      const artifact = await artifacts.read(db, id)
      if (artifact === undefined) throw new FleetError(RolloutErrorCodes.artifactNotFound, `no artifact ${id}`)
      return artifact
    },
    async select(db, filter, artifact, kioskIds) {
      const models = resolveModels(filter, artifact, options.deviceModels)
      return selectKiosks(await loadCandidates(db, kioskIds), filter, artifact, models)
    },
    changed(rolloutId) {
      try {
        onChanged?.(rolloutId)
      } catch (err) {
        options.log.warn({ err, rolloutId }, 'rollout change listener failed')
      }
    },
  }
}

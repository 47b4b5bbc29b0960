import type { UpdateParams } from '@kiosk-fleet/protocol'
import type { RolloutAction, RolloutDetailView, RolloutKioskView, RolloutView } from '@kiosk-fleet/protocol/http'
import type { GroupSpec } from './grouping.ts'
import type { TargetFilter } from './selection.ts'

export interface RolloutInput {
  name: string
  artifactId: string
  filter?: Partial<TargetFilter>
  groups: GroupSpec[]
  successThreshold: number
  errorThreshold: number
  errorMinSample: number
  installMode: 'window' | 'immediate'
  kioskTimeoutMs: number
  continuous?: boolean
}

export type Rollout = RolloutView
export type RolloutDetail = RolloutDetailView
export type RolloutKioskRow = RolloutKioskView
export type { RolloutAction }

export const KIOSK_TIMEOUT_CODE = 'ERR_FLEET_ROLLOUT_KIOSK_TIMEOUT'

/** A command the engine owes a kiosk: `update` (notification) or `cancel-update`. */
export interface Outgoing {
  rolloutId: string
  kioskId: string
  command: 'update' | 'cancel-update'
  params: UpdateParams | { deploymentId: string }
}

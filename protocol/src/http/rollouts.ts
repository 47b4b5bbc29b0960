import type { ArtifactKind, KioskRolloutState, RolloutStatus } from './vocabularies.ts'

/** Which kiosks a rollout is for: every non-empty field must match; empty = any. */
export interface RolloutTargetFilter {
  machineTypes: string[]
  departments: string[]
  sites: string[]
  /** Registry definition ids (`xprinter-xp-t58h`): kiosks with a peripheral of one of these models. */
  deviceModels: string[]
  firmware: string[]
  appVersions: string[]
}

/** A group of a rollout: a number of kiosks, or a cumulative percentage of the selection. */
export type RolloutGroupSpec = { count: number } | { percent: number }

export type RolloutAction = 'approve' | 'start' | 'pause' | 'resume' | 'abort'

/** Kiosk counts by rollout state (states with no kiosk are left out). */
export type RolloutStateCounts = Partial<Record<KioskRolloutState, number>>

/** A rollout as `GET /api/rollouts` lists it. */
export interface RolloutView {
  id: string
  name: string
  artifactId: string
  filter: RolloutTargetFilter
  groups: RolloutGroupSpec[]
  successThreshold: number
  errorThreshold: number
  errorMinSample: number
  installMode: 'window' | 'immediate'
  kioskTimeoutMs: number
  continuous: boolean
  status: RolloutStatus
  statusReason: string | null
  currentGroup: number
  createdBy: string
  createdAt: string
  approvedBy: string | null
  approvedAt: string | null
  startedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

/** Kiosks a rollout's filter matched but left out (as of now). */
export interface RolloutExclusions {
  incompatible: number
  notApproved: number
}

/** A rollout with its artifact and counts (`GET /api/rollouts/:id`, and the answer to every action). */
export interface RolloutDetailView extends RolloutView {
  artifact: { id: string; kind: ArtifactKind | string; version: string; deviceModel: string | null }
  groupCounts: { group: number; size: number; states: RolloutStateCounts }[]
  totals: RolloutStateCounts & { total: number }
  excluded: RolloutExclusions
}

/** One kiosk of a rollout (`GET /api/rollouts/:id/kiosks`). */
export interface RolloutKioskView {
  kioskId: string
  group: number
  state: KioskRolloutState
  progress: number | null
  blockedBy: string[] | null
  errorCode: string | null
  attempts: number
  notifiedAt: string | null
  reportedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

/** What `POST /api/rollouts/preview` answers: how many kiosks, by group, and why others are left out. */
export interface RolloutPreview {
  selected: number
  matched: number
  excluded: RolloutExclusions
  /** The first 50 kiosks that match the filter but are left out, each with why (docs/updates.md "Rollouts"). */
  leftOut: RolloutLeftOutKiosk[]
  groups: number[]
}

/**
 * Why a kiosk that matches a rollout's filter is left out: it runs another machine type than the
 * artifact is for, an app older than it needs, has no device of its model, only devices of other
 * hardware revisions, or its department has not approved the artifact.
 */
export type RolloutLeftOutReason =
  | 'machineTypeMismatch'
  | 'appTooOld'
  | 'modelMismatch'
  | 'hwRevisionMismatch'
  | 'notApproved'

/** One left-out kiosk of a preview: the reason, what the kiosk has against what the artifact needs, and a sentence. */
export interface RolloutLeftOutKiosk {
  kioskId: string
  reason: RolloutLeftOutReason
  /** What the kiosk has: its machine type, app version, device models (`epson-tm-t20ii rev M267A`), revisions or department. */
  has: string[]
  /** What the artifact needs: machine types, minimum app version, device model, hardware revisions, or the approved departments. */
  needs: string[]
  /** The same as a sentence, e.g. `no epson-tm-t20ii (it has generic-escpos-80mm)`. */
  detail: string
}

import { compareVersions } from '@kiosk-fleet/protocol'
import type { RolloutLeftOutKiosk, RolloutTargetFilter } from '@kiosk-fleet/protocol/http'
import type { Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import { isDeviceArtifact, type ReleasedArtifact } from '../updates/artifact-reader.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'

/** Which kiosks a rollout is for: every non-empty field must match; empty = any. */
export type TargetFilter = RolloutTargetFilter

export const EMPTY_FILTER: TargetFilter = {
  machineTypes: [],
  departments: [],
  sites: [],
  deviceModels: [],
  firmware: [],
  appVersions: [],
}

/** A registry model: its definition id and the display vendor and model kiosks report in their births. */
export interface DeviceModelInfo {
  id: string
  vendor: string
  model: string
}

/**
 * Resolves a registry definition id to its vendor and model (the composition root passes the
 * `@drivers/registry` definitions; fleet-server code itself does not import drivers).
 */
export type DeviceModelLookup = (definitionId: string) => DeviceModelInfo | undefined

/** The artifact a rollout delivers, as the updates feature hands it over (updates/artifact-reader.ts). */
export type ArtifactInfo = ReleasedArtifact

export interface CandidatePeripheral {
  vendor: string | null
  model: string | null
  /** The registry model id the kiosk reported (births since migration 042); null for an older birth or a non-registry device. */
  modelId?: string | null
  firmware: string | null
  state: string | null
  /** The hardware revision the kiosk reported for this device; null when it reported none. */
  hwRevision?: string | null
}

export interface Candidate {
  id: string
  machineType: string | null
  department: string | null
  siteId: string | null
  appVersion: string | null
  online: boolean
  peripherals: CandidatePeripheral[]
}

export type Exclusion = 'filtered' | 'incompatible' | 'notApproved'

/** How many left-out kiosks a selection names with their reason (the counts cover all). */
export const LEFT_OUT_LISTED = 50

/** Why a kiosk cannot take an artifact, without its id. */
export type Incompatibility = Omit<RolloutLeftOutKiosk, 'kioskId'>

export interface SelectionResult {
  selected: string[]
  /** Kiosks that matched the filter but may not get the artifact, by reason. */
  excluded: { incompatible: number; notApproved: number }
  /** The first left-out kiosks (up to LEFT_OUT_LISTED), incompatible or not approved, and why. */
  leftOut: RolloutLeftOutKiosk[]
  /** Kiosks matching the filter (selected + excluded). */
  matched: number
}

const norm = (s: string | null | undefined) =>
  (s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')

/**
 * Whether a peripheral, as the kiosk reported it, is of a registry model: by the model id it reported,
 * or — for a kiosk that reported none — by display vendor and model. Models compare without case and punctuation (`XP-T58H` = `xpt58h`), and without a registry note in
 * trailing parentheses; the vendor must name the definition's vendor id (`Xprinter` for
 * `xprinter-xp-t58h`) or be part of its display name.
 */
export function peripheralIsModel(
  p: Pick<CandidatePeripheral, 'vendor' | 'model' | 'modelId'>,
  def: DeviceModelInfo,
): boolean {
  // A kiosk that names the registry model is taken at its word; display names are the fallback.
  if (p.modelId != null) return p.modelId === def.id
  const model = norm(p.model)
  // A registry model may carry a note after the name (`TM-T88V (USB id shared with TM-T70 …)`): kiosks report the name.
  if (model === '' || (model !== norm(def.model) && model !== norm(def.model.replace(/\s*\(.*\)\s*$/, '')))) {
    return false
  }
  const vendor = norm(p.vendor)
  if (vendor === '') return false
  return vendor.includes(norm(def.id.split('-')[0])) || norm(def.vendor).includes(vendor)
}

const describeDevice = (p: CandidatePeripheral) =>
  `${p.modelId ?? [p.vendor ?? '?', p.model ?? '?'].join(' ')}${p.hwRevision != null ? ` rev ${p.hwRevision}` : ''}`

/**
 * Why a kiosk cannot take the artifact — what it has against what the artifact needs, with a sentence
 * for the preview — or undefined when it can.
 */
export function incompatibility(
  kiosk: Candidate,
  artifact: ArtifactInfo,
  def: DeviceModelInfo | undefined,
): Incompatibility | undefined {
  const c = artifact.compatibility
  const machineTypes = c.machineTypes ?? []
  if (machineTypes.length > 0 && (kiosk.machineType === null || !machineTypes.includes(kiosk.machineType))) {
    return {
      reason: 'machineTypeMismatch',
      has: kiosk.machineType === null ? [] : [kiosk.machineType],
      needs: machineTypes,
      detail: `machine type ${kiosk.machineType ?? '(none)'}, the artifact is for ${machineTypes.join(', ')}`,
    }
  }
  if (c.minAppVersion !== undefined) {
    if (kiosk.appVersion === null || compareVersions(kiosk.appVersion, c.minAppVersion) < 0) {
      return {
        reason: 'appTooOld',
        has: kiosk.appVersion === null ? [] : [kiosk.appVersion],
        needs: [c.minAppVersion],
        detail: `app ${kiosk.appVersion ?? '(none)'}, the artifact needs ${c.minAppVersion} or later`,
      }
    }
  }
  if (!isDeviceArtifact(artifact.kind)) return undefined
  const model = artifact.deviceModel ?? 'device model'
  const devices = def === undefined ? [] : kiosk.peripherals.filter((p) => peripheralIsModel(p, def))
  if (devices.length === 0) {
    const has = kiosk.peripherals.map(describeDevice)
    return {
      reason: 'modelMismatch',
      has,
      needs: [model],
      detail: `no ${model} (it has ${has.length > 0 ? has.join(', ') : 'no devices'})`,
    }
  }
  // Firmware for named hardware revisions fits only a device that reported one of them.
  const revisions = c.hwRevisions ?? []
  if (revisions.length > 0 && !devices.some((p) => p.hwRevision != null && revisions.includes(p.hwRevision))) {
    const has = devices.map((p) => p.hwRevision ?? 'none reported')
    return {
      reason: 'hwRevisionMismatch',
      has,
      needs: revisions,
      detail: `${model} hardware revision ${has.join(', ')}, the artifact is for ${revisions.join(', ')}`,
    }
  }
  return undefined
}

/** Why a compatible kiosk is left out for want of its department's approval, or undefined when approved. */
export function missingApproval(kiosk: Candidate, artifact: ArtifactInfo): Incompatibility | undefined {
  if (kiosk.department !== null && artifact.approvedDepartments.includes(kiosk.department)) return undefined
  const approved = artifact.approvedDepartments
  return {
    reason: 'notApproved',
    has: kiosk.department === null ? [] : [kiosk.department],
    needs: [...approved],
    detail: `department ${kiosk.department ?? '(none)'} has not approved the artifact${approved.length > 0 ? ` (approved for ${approved.join(', ')})` : ' (no department has)'}`,
  }
}

/** Why a kiosk is not selected, or undefined when it is. Pure: the rules of docs/updates.md "Rollouts". */
export function classifyKiosk(
  kiosk: Candidate,
  filter: TargetFilter,
  artifact: ArtifactInfo,
  models: { filter: DeviceModelInfo[]; artifact: DeviceModelInfo | undefined },
): Exclusion | undefined {
  const inList = (list: string[], value: string | null) => list.length === 0 || (value !== null && list.includes(value))
  if (!inList(filter.machineTypes, kiosk.machineType)) return 'filtered'
  if (!inList(filter.departments, kiosk.department)) return 'filtered'
  if (!inList(filter.sites, kiosk.siteId)) return 'filtered'
  if (!inList(filter.appVersions, kiosk.appVersion)) return 'filtered'
  const modelPeripherals =
    models.filter.length === 0
      ? kiosk.peripherals
      : kiosk.peripherals.filter((p) => models.filter.some((d) => peripheralIsModel(p, d)))
  if (models.filter.length > 0 && modelPeripherals.length === 0) return 'filtered'
  if (filter.firmware.length > 0) {
    const candidates =
      models.artifact === undefined
        ? modelPeripherals
        : modelPeripherals.filter((p) => peripheralIsModel(p, models.artifact as DeviceModelInfo))
    if (!candidates.some((p) => p.firmware !== null && filter.firmware.includes(p.firmware))) return 'filtered'
  }
  if (incompatibility(kiosk, artifact, models.artifact) !== undefined) return 'incompatible'
  if (missingApproval(kiosk, artifact) !== undefined) return 'notApproved'
  return undefined
}

export function selectKiosks(
  candidates: readonly Candidate[],
  filter: TargetFilter,
  artifact: ArtifactInfo,
  models: { filter: DeviceModelInfo[]; artifact: DeviceModelInfo | undefined },
): SelectionResult {
  const result: SelectionResult = {
    selected: [],
    excluded: { incompatible: 0, notApproved: 0 },
    leftOut: [],
    matched: 0,
  }
  for (const kiosk of candidates) {
    const why = classifyKiosk(kiosk, filter, artifact, models)
    if (why === 'filtered') continue
    result.matched += 1
    if (why === undefined) result.selected.push(kiosk.id)
    else result.excluded[why] += 1
    if (why !== undefined && result.leftOut.length < LEFT_OUT_LISTED) {
      const because =
        why === 'incompatible' ? incompatibility(kiosk, artifact, models.artifact) : missingApproval(kiosk, artifact)
      if (because !== undefined) result.leftOut.push({ kioskId: kiosk.id, ...because })
    }
  }
  return result
}

/** Resolves the filter's and the artifact's device models; an unknown model id is a 400. */
export function resolveModels(
  filter: TargetFilter,
  artifact: ArtifactInfo,
  lookup: DeviceModelLookup,
): { filter: DeviceModelInfo[]; artifact: DeviceModelInfo | undefined } {
  const filterModels = filter.deviceModels.map((id) => {
    const def = lookup(id)
    if (def === undefined) throw new FleetError(RolloutErrorCodes.invalid, `unknown device model ${id}`)
    return def
  })
  const artifactModel = artifact.deviceModel === null ? undefined : lookup(artifact.deviceModel)
  if (isDeviceArtifact(artifact.kind) && artifactModel === undefined) {
    throw new FleetError(
      RolloutErrorCodes.invalid,
      `artifact ${artifact.id} is for device model ${artifact.deviceModel ?? '(none)'}, which the registry does not know`,
    )
  }
  return { filter: filterModels, artifact: artifactModel }
}

interface CandidateRow {
  id: string
  machine_type: string | null
  department: string | null
  site_id: string | null
  app_version: string | null
  state: string
  peripherals: CandidatePeripheral[] | string
}

/** Kiosks that have sent a birth, with their peripherals; optionally only `kioskIds`. */
export async function loadCandidates(db: Queryable, kioskIds?: readonly string[]): Promise<Candidate[]> {
  const rows = await db.query<CandidateRow>(
    `SELECT k.id, k.machine_type, k.department, k.site_id, k.app_version, k.state,
       coalesce(json_agg(json_build_object('vendor', p.vendor, 'model', p.model, 'modelId', p.model_id, 'firmware', p.firmware,
                                           'state', p.status->>'state', 'hwRevision', p.hw_revision))
                FILTER (WHERE p.device_id IS NOT NULL), '[]'::json) AS peripherals
     FROM kiosks k LEFT JOIN peripherals p ON p.kiosk_id = k.id
     WHERE k.birth_seq > 0 AND ($1::text[] IS NULL OR k.id = ANY($1::text[]))
     GROUP BY k.id`,
    [kioskIds === undefined ? null : [...kioskIds]],
  )
  return rows.map((r) => ({
    id: r.id,
    machineType: r.machine_type,
    department: r.department,
    siteId: r.site_id,
    appVersion: r.app_version,
    online: r.state === 'online',
    peripherals: typeof r.peripherals === 'string' ? JSON.parse(r.peripherals) : r.peripherals,
  }))
}

/**
 * The filter a principal may use: a department user targets only its own departments (an empty
 * department filter becomes its departments; naming another department is refused).
 */
export function scopedFilter(principal: Principal, filter: TargetFilter): TargetFilter {
  if (principal.role === 'admin') return filter
  if (principal.role !== 'department') {
    throw new FleetError(RolloutErrorCodes.outOfScope, `role ${principal.role} may not target kiosks`)
  }
  if (filter.departments.length === 0) return { ...filter, departments: [...principal.departments] }
  const outside = filter.departments.filter((d) => !principal.departments.includes(d))
  if (outside.length > 0) {
    throw new FleetError(RolloutErrorCodes.outOfScope, `departments outside your scope: ${outside.join(', ')}`)
  }
  return filter
}

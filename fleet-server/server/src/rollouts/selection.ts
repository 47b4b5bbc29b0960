import { compareVersions } from '@kiosk-fleet/protocol'
import type { RolloutTargetFilter } from '@kiosk-fleet/protocol/http'
import type { Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import type { ReleasedArtifact } from '../updates/artifact-reader.ts'
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

export interface SelectionResult {
  selected: string[]
  /** Kiosks that matched the filter but may not get the artifact, by reason. */
  excluded: { incompatible: number; notApproved: number }
  /** Kiosks matching the filter (selected + excluded). */
  matched: number
}

const norm = (s: string | null | undefined) =>
  (s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')

/**
 * Whether a peripheral, as the kiosk reported it (display vendor and model), is of a registry model.
 * Models compare without case and punctuation (`XP-T58H` = `xpt58h`), and without a registry note in
 * trailing parentheses; the vendor must name the definition's vendor id (`Xprinter` for
 * `xprinter-xp-t58h`) or be part of its display name.
 */
export function peripheralIsModel(p: Pick<CandidatePeripheral, 'vendor' | 'model'>, def: DeviceModelInfo): boolean {
  const model = norm(p.model)
  // A registry model may carry a note after the name (`TM-T88V (USB id shared with TM-T70 …)`): kiosks report the name.
  if (model === '' || (model !== norm(def.model) && model !== norm(def.model.replace(/\s*\(.*\)\s*$/, '')))) {
    return false
  }
  const vendor = norm(p.vendor)
  if (vendor === '') return false
  return vendor.includes(norm(def.id.split('-')[0])) || norm(def.vendor).includes(vendor)
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
  const c = artifact.compatibility
  if ((c.machineTypes?.length ?? 0) > 0 && !inList(c.machineTypes ?? [], kiosk.machineType)) return 'incompatible'
  if (c.minAppVersion !== undefined) {
    if (kiosk.appVersion === null || compareVersions(kiosk.appVersion, c.minAppVersion) < 0) return 'incompatible'
  }
  if (artifact.kind !== 'app') {
    const def = models.artifact
    const devices = def === undefined ? [] : kiosk.peripherals.filter((p) => peripheralIsModel(p, def))
    if (devices.length === 0) return 'incompatible'
    // Firmware for named hardware revisions fits only a device that reported one of them.
    const revisions = c.hwRevisions ?? []
    if (revisions.length > 0 && !devices.some((p) => p.hwRevision != null && revisions.includes(p.hwRevision))) {
      return 'incompatible'
    }
  }
  if (kiosk.department === null || !artifact.approvedDepartments.includes(kiosk.department)) return 'notApproved'
  return undefined
}

export function selectKiosks(
  candidates: readonly Candidate[],
  filter: TargetFilter,
  artifact: ArtifactInfo,
  models: { filter: DeviceModelInfo[]; artifact: DeviceModelInfo | undefined },
): SelectionResult {
  const result: SelectionResult = { selected: [], excluded: { incompatible: 0, notApproved: 0 }, matched: 0 }
  for (const kiosk of candidates) {
    const why = classifyKiosk(kiosk, filter, artifact, models)
    if (why === 'filtered') continue
    result.matched += 1
    if (why === undefined) result.selected.push(kiosk.id)
    else result.excluded[why] += 1
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
  if (artifact.kind !== 'app' && artifactModel === undefined) {
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
       coalesce(json_agg(json_build_object('vendor', p.vendor, 'model', p.model, 'firmware', p.firmware,
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

import type { Queryable } from '../db/database.ts'
import {
  type ArtifactCompatibility,
  type ArtifactKind,
  type ArtifactStatus,
  NEWEST_CATALOGUE_BUNDLE_FIRST,
} from './artifact-repo.ts'

/** Firmware and config go to one peripheral of a kiosk; app releases and catalogue bundles to the kiosk itself. */
export function isDeviceArtifact(kind: ArtifactKind): boolean {
  return kind === 'firmware' || kind === 'config'
}

/** What other features (rollouts) may know of an artifact: enough to select kiosks and notify them. */
export interface ReleasedArtifact {
  id: string
  kind: ArtifactKind
  version: string
  vendor: string | null
  deviceModel: string | null
  targetPath: string
  status: ArtifactStatus
  compatibility: Partial<ArtifactCompatibility>
  /** Departments that approved the artifact: no kiosk of another department may be targeted. */
  approvedDepartments: string[]
  /**
   * A catalogue bundle that is not its department's newest `ready` bundle: that one, which the fleet
   * takes as the department's catalogue (its services page, the check of other departments'
   * uploads). Rolling this one out would leave kiosks on a catalogue the fleet does not know.
   */
  supersededBy?: { id: string; version: string; department: string }
}

/**
 * The updates feature's read port for other features: they read artifacts through it, inside their
 * own transaction (`db`), and never query the artifact tables themselves.
 */
export interface ArtifactReader {
  read(db: Queryable, id: string): Promise<ReleasedArtifact | undefined>
}

export const artifactReader: ArtifactReader = {
  async read(db, id) {
    const [a] = await db.query<{
      id: string
      kind: ArtifactKind
      version: string
      vendor: string | null
      device_model: string | null
      target_path: string
      status: ArtifactStatus
      compatibility: Partial<ArtifactCompatibility> | null
      approved: string[] | null
      department: string | null
    }>(
      `SELECT a.*, (SELECT array_agg(department) FROM artifact_approvals WHERE artifact_id = a.id) AS approved
       FROM artifacts a WHERE a.id = $1`,
      [id],
    )
    if (a === undefined) return undefined
    const [newest] =
      a.kind === 'catalogue' && a.department !== null
        ? await db.query<{ id: string; version: string }>(
            `SELECT id, version FROM artifacts WHERE kind = 'catalogue' AND status = 'ready' AND department = $1
             ORDER BY ${NEWEST_CATALOGUE_BUNDLE_FIRST} LIMIT 1`,
            [a.department],
          )
        : []
    return {
      id: a.id,
      kind: a.kind,
      version: a.version,
      vendor: a.vendor,
      deviceModel: a.device_model,
      targetPath: a.target_path,
      status: a.status,
      compatibility: a.compatibility ?? {},
      approvedDepartments: a.approved ?? [],
      ...(newest === undefined || newest.id === a.id || a.department === null
        ? {}
        : { supersededBy: { id: newest.id, version: newest.version, department: a.department } }),
    }
  },
}

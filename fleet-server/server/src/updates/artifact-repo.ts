import type { Database, Queryable } from '../db/database.ts'

export type ArtifactKind = 'app' | 'firmware' | 'config' | 'catalogue'
export type ArtifactStatus = 'uploading' | 'signing' | 'ready' | 'rejected' | 'revoked'

/**
 * The order in which a department's `ready` catalogue bundles supersede each other, newest first:
 * the last one signed into the repository. Its newest is the department's catalogue at the fleet.
 */
export const NEWEST_CATALOGUE_BUNDLE_FIRST = 'ready_at DESC NULLS LAST, created_at DESC, id DESC'

export interface ArtifactCompatibility {
  /** Machine types (`MACHINE_TYPES`); empty = any. */
  machineTypes: string[]
  /** Hardware revisions of the device model; empty = any. */
  hwRevisions: string[]
  minAppVersion?: string | undefined
}

export interface ArtifactApproval {
  department: string
  approvedBy: string
  approvedAt: string
}

export interface Artifact {
  id: string
  kind: ArtifactKind
  version: string
  vendor: string | null
  /** The department whose catalogue bundle this is (kind `catalogue`); null otherwise. */
  department: string | null
  deviceModel: string | null
  deviceClass: string | null
  targetPath: string
  sha256: string | null
  length: number | null
  compatibility: ArtifactCompatibility
  notes: string
  status: ArtifactStatus
  statusReason: string | null
  uploadedBy: string
  createdAt: string
  readyAt: string | null
}

export interface ArtifactWithApprovals extends Artifact {
  approvals: ArtifactApproval[]
}

export interface ArtifactUpload {
  id: string
  artifactId: string
  totalLength: number
  receivedLength: number
  expectedSha256: string
  createdBy: string
  createdAt: string
  expiresAt: string
  completedAt: string | null
}

interface ArtifactRow {
  id: string
  kind: ArtifactKind
  version: string
  vendor: string | null
  department: string | null
  device_model: string | null
  device_class: string | null
  target_path: string
  sha256: string | null
  length: number | string | null
  compatibility: ArtifactCompatibility | string
  notes: string
  status: ArtifactStatus
  status_reason: string | null
  uploaded_by: string
  created_at: Date | string
  ready_at: Date | string | null
}

interface UploadRow {
  id: string
  artifact_id: string
  total_length: number | string
  received_length: number | string
  expected_sha256: string
  created_by: string
  created_at: Date | string
  expires_at: Date | string
  completed_at: Date | string | null
}

const iso = (v: Date | string): string => new Date(v).toISOString()
const isoOrNull = (v: Date | string | null): string | null => (v === null ? null : iso(v))
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v)

function toArtifact(r: ArtifactRow): Artifact {
  const compatibility = json<Partial<ArtifactCompatibility>>(r.compatibility)
  return {
    id: r.id,
    kind: r.kind,
    version: r.version,
    vendor: r.vendor,
    department: r.department,
    deviceModel: r.device_model,
    deviceClass: r.device_class,
    targetPath: r.target_path,
    sha256: r.sha256,
    length: r.length === null ? null : Number(r.length),
    compatibility: {
      machineTypes: compatibility.machineTypes ?? [],
      hwRevisions: compatibility.hwRevisions ?? [],
      ...(compatibility.minAppVersion === undefined ? {} : { minAppVersion: compatibility.minAppVersion }),
    },
    notes: r.notes,
    status: r.status,
    statusReason: r.status_reason,
    uploadedBy: r.uploaded_by,
    createdAt: iso(r.created_at),
    readyAt: isoOrNull(r.ready_at),
  }
}

function toUpload(r: UploadRow): ArtifactUpload {
  return {
    id: r.id,
    artifactId: r.artifact_id,
    totalLength: Number(r.total_length),
    receivedLength: Number(r.received_length),
    expectedSha256: r.expected_sha256,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    completedAt: isoOrNull(r.completed_at),
  }
}

/** What creating an artifact records: its hash and length are known, its status is not yet. */
export type NewArtifact = Omit<Artifact, 'sha256' | 'length' | 'status' | 'statusReason' | 'createdAt' | 'readyAt'> & {
  sha256: string
  length: number
}

export interface ArtifactListFilter {
  /** Only these vendors' artifacts (vendor users); undefined = all. */
  vendors?: string[] | undefined
  /** Only these departments' catalogue bundles; undefined = all. */
  departments?: string[] | undefined
  kind?: ArtifactKind | undefined
  status?: ArtifactStatus | undefined
  deviceModel?: string | undefined
  limit: number
}

/**
 * The artifacts, their upload sessions and department approvals (tables of migration 005). Rollouts
 * read artifacts through `get` / `getWithApprovals` / `approvedDepartments`.
 */
export class ArtifactRepo {
  /** `onChanged` hears of every write to an artifact (status, upload progress, approvals): live dashboards. */
  constructor(
    private readonly db: Database,
    private readonly onChanged: (artifactId: string) => void = () => undefined,
  ) {}

  async get(id: string, q: Queryable = this.db): Promise<Artifact | undefined> {
    const [row] = await q.query<ArtifactRow>('SELECT * FROM artifacts WHERE id = $1', [id])
    return row === undefined ? undefined : toArtifact(row)
  }

  async getWithApprovals(id: string): Promise<ArtifactWithApprovals | undefined> {
    const artifact = await this.get(id)
    if (artifact === undefined) return undefined
    return { ...artifact, approvals: await this.approvals(id) }
  }

  async approvals(artifactId: string): Promise<ArtifactApproval[]> {
    const rows = await this.db.query<{ department: string; approved_by: string; approved_at: Date | string }>(
      'SELECT department, approved_by, approved_at FROM artifact_approvals WHERE artifact_id = $1 ORDER BY department',
      [artifactId],
    )
    return rows.map((r) => ({ department: r.department, approvedBy: r.approved_by, approvedAt: iso(r.approved_at) }))
  }

  /** Departments that approved the artifact: no kiosk of another department may be targeted. */
  async approvedDepartments(artifactId: string): Promise<string[]> {
    return (await this.approvals(artifactId)).map((a) => a.department)
  }

  async list(filter: ArtifactListFilter): Promise<ArtifactWithApprovals[]> {
    const rows = await this.db.query<ArtifactRow>(
      `SELECT * FROM artifacts
       WHERE ($1::text[] IS NULL OR vendor = ANY($1::text[]))
         AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR device_model = $4)
         AND ($6::text[] IS NULL OR department = ANY($6::text[]))
       ORDER BY created_at DESC, id LIMIT $5`,
      [
        filter.vendors ?? null,
        filter.kind ?? null,
        filter.status ?? null,
        filter.deviceModel ?? null,
        filter.limit,
        filter.departments ?? null,
      ],
    )
    const ids = rows.map((r) => r.id)
    const approvals = await this.db.query<{
      artifact_id: string
      department: string
      approved_by: string
      approved_at: Date | string
    }>('SELECT * FROM artifact_approvals WHERE artifact_id = ANY($1::text[]) ORDER BY department', [ids])
    return rows.map((r) => ({
      ...toArtifact(r),
      approvals: approvals
        .filter((a) => a.artifact_id === r.id)
        .map((a) => ({ department: a.department, approvedBy: a.approved_by, approvedAt: iso(a.approved_at) })),
    }))
  }

  /** Inserts the artifact (status `uploading`) and its upload session; false when the path or version exists. */
  async create(artifact: NewArtifact, upload: { id: string; expiresAt: Date }): Promise<boolean> {
    const created = await this.db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO artifacts (id, kind, version, vendor, device_model, device_class, target_path, sha256, length,
                                compatibility, notes, status, uploaded_by, department)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, 'uploading', $12, $13)
         ON CONFLICT DO NOTHING RETURNING id`,
        [
          artifact.id,
          artifact.kind,
          artifact.version,
          artifact.vendor,
          artifact.deviceModel,
          artifact.deviceClass,
          artifact.targetPath,
          artifact.sha256,
          artifact.length,
          JSON.stringify(artifact.compatibility),
          artifact.notes,
          artifact.uploadedBy,
          artifact.department,
        ],
      )
      if (inserted.length === 0) return false
      await tx.query(
        `INSERT INTO artifact_uploads (id, artifact_id, total_length, expected_sha256, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [upload.id, artifact.id, artifact.length, artifact.sha256, artifact.uploadedBy, upload.expiresAt.toISOString()],
      )
      return true
    })
    if (created) this.onChanged(artifact.id)
    return created
  }

  /** Each department's newest `ready` catalogue bundle (revoked and rejected ones are not published). */
  async latestCatalogueBundles(): Promise<Artifact[]> {
    const rows = await this.db.query<ArtifactRow>(
      `SELECT DISTINCT ON (department) * FROM artifacts
       WHERE kind = 'catalogue' AND status = 'ready'
       ORDER BY department, ${NEWEST_CATALOGUE_BUNDLE_FIRST}`,
    )
    return rows.map(toArtifact)
  }

  async existsForPath(targetPath: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM artifacts WHERE target_path = $1', [targetPath])
    return rows.length > 0
  }

  async upload(id: string): Promise<ArtifactUpload | undefined> {
    const [row] = await this.db.query<UploadRow>('SELECT * FROM artifact_uploads WHERE id = $1', [id])
    return row === undefined ? undefined : toUpload(row)
  }

  async uploadOf(artifactId: string): Promise<ArtifactUpload | undefined> {
    const [row] = await this.db.query<UploadRow>('SELECT * FROM artifact_uploads WHERE artifact_id = $1', [artifactId])
    return row === undefined ? undefined : toUpload(row)
  }

  /** Records acknowledged bytes; false when someone else moved the offset meanwhile. */
  async advanceUpload(id: string, from: number, to: number): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE artifact_uploads SET received_length = $3 WHERE id = $1 AND received_length = $2 RETURNING artifact_id',
      [id, from, to],
    )
    const [row] = rows as { artifact_id: string }[]
    if (row !== undefined) this.onChanged(row.artifact_id)
    return row !== undefined
  }

  async completeUpload(id: string): Promise<void> {
    await this.db.query('UPDATE artifact_uploads SET completed_at = now() WHERE id = $1', [id])
  }

  /** Moves an artifact from one of `from` to `to`; false when it was in another state. */
  async setStatus(
    id: string,
    from: ArtifactStatus[],
    to: ArtifactStatus,
    reason: string | null = null,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE artifacts SET status = $3::text, status_reason = $4::text,
              ready_at = CASE WHEN $3::text = 'ready' THEN now() ELSE ready_at END
       WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
      [id, from, to, reason],
    )
    if (rows.length > 0) this.onChanged(id)
    return rows.length > 0
  }

  /** Uploads past their expiry that never completed. */
  async expiredUploads(now: Date): Promise<ArtifactUpload[]> {
    const rows = await this.db.query<UploadRow>(
      'SELECT * FROM artifact_uploads WHERE completed_at IS NULL AND expires_at < $1',
      [now.toISOString()],
    )
    return rows.map(toUpload)
  }

  async approve(artifactId: string, department: string, by: string): Promise<void> {
    await this.db.query(
      `INSERT INTO artifact_approvals (artifact_id, department, approved_by) VALUES ($1, $2, $3)
       ON CONFLICT (artifact_id, department) DO UPDATE SET approved_by = EXCLUDED.approved_by, approved_at = now()`,
      [artifactId, department, by],
    )
    this.onChanged(artifactId)
  }

  async withdrawApproval(artifactId: string, department: string): Promise<boolean> {
    const rows = await this.db.query(
      'DELETE FROM artifact_approvals WHERE artifact_id = $1 AND department = $2 RETURNING department',
      [artifactId, department],
    )
    if (rows.length > 0) this.onChanged(artifactId)
    return rows.length > 0
  }

  /** The pending vendor signing request of an artifact (the unsigned `signed` part), kept so replicas agree. */
  async saveSigningRequest(artifactId: string, signed: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO tuf_metadata (name, body) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
      [signingRequestName(artifactId), JSON.stringify(signed)],
    )
  }

  async signingRequest(artifactId: string): Promise<unknown | undefined> {
    const [row] = await this.db.query<{ body: string }>('SELECT body FROM tuf_metadata WHERE name = $1', [
      signingRequestName(artifactId),
    ])
    return row === undefined ? undefined : JSON.parse(row.body)
  }

  async deleteSigningRequest(artifactId: string): Promise<void> {
    await this.db.query('DELETE FROM tuf_metadata WHERE name = $1', [signingRequestName(artifactId)])
  }

  async listVendors(kind: PublisherKind = 'vendor'): Promise<UpdateVendor[]> {
    const rows = await this.db.query<VendorRow>(`SELECT * FROM ${PUBLISHER_TABLES[kind]} ORDER BY id`)
    return rows.map(toVendor)
  }

  async vendor(id: string, kind: PublisherKind = 'vendor'): Promise<UpdateVendor | undefined> {
    const [row] = await this.db.query<VendorRow>(`SELECT * FROM ${PUBLISHER_TABLES[kind]} WHERE id = $1`, [id])
    return row === undefined ? undefined : toVendor(row)
  }

  async saveVendor(vendor: Omit<UpdateVendor, 'createdAt'>, kind: PublisherKind = 'vendor'): Promise<void> {
    await this.db.query(
      `INSERT INTO ${PUBLISHER_TABLES[kind]} (id, name, public_keys, threshold) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, public_keys = EXCLUDED.public_keys, threshold = EXCLUDED.threshold`,
      [vendor.id, vendor.name, JSON.stringify(vendor.publicKeys), vendor.threshold],
    )
  }
}

/** Who holds a delegated role's keys: vendors (firmware, config) and departments (catalogue bundles). */
export type PublisherKind = 'vendor' | 'department'
const PUBLISHER_TABLES: Record<PublisherKind, string> = { vendor: 'update_vendors', department: 'update_departments' }

/** Not a published file name: the metadata route only serves published roles. */
function signingRequestName(artifactId: string): string {
  return `pending.${artifactId.toLowerCase().replace(/[^a-z0-9]/g, '-')}.json`
}

export interface UpdateVendor {
  id: string
  name: string
  /** TUF public keys by key id. */
  publicKeys: Record<string, unknown>
  threshold: number
  createdAt: string
}

interface VendorRow {
  id: string
  name: string
  public_keys: Record<string, unknown> | string
  threshold: number
  created_at: Date | string
}

const toVendor = (r: VendorRow): UpdateVendor => ({
  id: r.id,
  name: r.name,
  publicKeys: json(r.public_keys),
  threshold: r.threshold,
  createdAt: iso(r.created_at),
})

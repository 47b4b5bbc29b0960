import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import {
  type CatalogueBundle,
  type CatalogueError,
  type CatalogueFile,
  MACHINE_TYPES,
  overlayCatalogue,
  readCatalogueBundle,
} from '@kiosk-fleet/protocol'
import Ajv from 'ajv'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Principal } from '../auth/roles.ts'
import { FleetError, type FleetErrorCode, FleetErrorCodes } from '../errors.ts'
import { appReleaseProblems, DEFAULT_FIRMWARE_FORMAT, firmwareProblems } from './artifact-content.ts'
import type {
  Artifact,
  ArtifactCompatibility,
  ArtifactKind,
  ArtifactRepo,
  ArtifactUpload,
  ArtifactWithApprovals,
  PublisherKind,
  UpdateVendor,
} from './artifact-repo.ts'
import type { DeviceModelCatalog, DeviceModelInfo } from './device-models.ts'
import type { TufMetadataStore } from './metadata-store.ts'
import type { TufPublicKeyJson } from './tuf-keys.ts'
import { toModelKey } from './tuf-keys.ts'
import { hashPrefixedTargetPath, type Publisher, type TufRepository, type VendorTargetInput } from './tuf-repository.ts'
import { UpdateErrorCodes, UpdateRepositoryError } from './update-errors.ts'
import type { UploadSpool } from './upload-spool.ts'

/** `1.2.3` or `1.2.3-rc.1`: what kiosk app versions and `minAppVersion` look like. */
export const APP_VERSION_PATTERN = '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$'
/** Firmware and config versions are the vendor's own scheme, safe as a path segment. */
export const ARTIFACT_VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
export const FILE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
const APP_VERSION = new RegExp(APP_VERSION_PATTERN)
/** A department id, as catalogue definitions name departments. */
const DEPARTMENT_ID = /^[a-z][a-z0-9-]{1,31}$/

function asPublisherOf(vendorOrPublisher: string | Publisher): Publisher {
  return typeof vendorOrPublisher === 'string' ? { kind: 'vendor', id: vendorOrPublisher } : vendorOrPublisher
}

export interface NewArtifactRequest {
  kind: ArtifactKind
  version: string
  vendor?: string | undefined
  /** The department whose catalogue bundle it is (kind `catalogue`). */
  department?: string | undefined
  deviceModel?: string | undefined
  fileName: string
  length: number
  sha256: string
  compatibility: {
    machineTypes?: string[] | undefined
    hwRevisions?: string[] | undefined
    minAppVersion?: string | undefined
  }
  notes?: string | undefined
}

export interface ArtifactServiceOptions {
  artifacts: ArtifactRepo
  spool: UploadSpool
  models: DeviceModelCatalog
  audit: AuditLog
  /** The repository, or why there is none (routes answer ERR_FLEET_UPDATES_NOT_INITIALISED). */
  repository: () => TufRepository | string
  maxArtifactBytes: number
  uploadTtlMs: number
  clock: () => number
  logger: Logger
  /**
   * The fleet's own catalogue files (its catalogue folder): a department's bundle is checked laid
   * over them and the other departments' published bundles, as kiosks lay it (ids unique across
   * departments). Without it a bundle is checked alone.
   */
  fleetCatalogueFiles?: () => CatalogueFile[]
  /** The departments' newest published bundles (publishedCatalogueBundles over the repository's store). */
  publishedCatalogue?: () => Promise<CatalogueBundle[]>
}

/** Who did it and from where, for the audit log. */
export interface Actor {
  principal: Principal
  ip?: string | undefined
}

function newId(prefix: string, bytes: number): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`
}

/** The TUF path of an artifact (docs/updates.md "Artifacts"). */
export function artifactTargetPath(
  kind: ArtifactKind,
  version: string,
  fileName: string,
  vendor?: string,
  model?: string,
  department?: string,
): string {
  if (kind === 'app') return `app/${version}/kiosk-app-${version}.tar.gz`
  if (kind === 'catalogue') return `catalogue/${department}/${department}-${version}.json`
  return `${kind}/${vendor}/${model}/${fileName}`
}

/** Who signs an artifact's delegated role: its vendor, or for a catalogue bundle its department. */
export function publisherOf(artifact: Pick<Artifact, 'kind' | 'vendor' | 'department'>): Publisher | undefined {
  if (artifact.kind === 'catalogue' && artifact.department !== null)
    return { kind: 'department', id: artifact.department }
  if (artifact.vendor !== null) return { kind: 'vendor', id: artifact.vendor }
  return undefined
}

/** Runs a repository call; its refusal becomes the HTTP error with the repository's code. */
async function asHttpError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof UpdateRepositoryError) {
      throw new FleetError(error.code, error.message)
    }
    throw error
  }
}

/** Where a publisher's pending re-sign request is kept (beside the artifacts' signing requests). */
function vendorResignKey(publisher: Publisher): string {
  return `${publisher.kind}-resign.${publisher.id}`
}

/** The `custom` fields a kiosk reads from the verified target (kind, version, compatibility). */
export function targetCustom(artifact: Artifact): Record<string, unknown> {
  return {
    kind: artifact.kind,
    version: artifact.version,
    ...(artifact.deviceModel === null ? {} : { deviceModel: artifact.deviceModel }),
    ...(artifact.department === null ? {} : { department: artifact.department }),
    machineTypes: artifact.compatibility.machineTypes,
    hwRevisions: artifact.compatibility.hwRevisions,
    ...(artifact.compatibility.minAppVersion === undefined
      ? {}
      : { minAppVersion: artifact.compatibility.minAppVersion }),
  }
}

/**
 * Artifacts from creation to `ready`: validation of kind, model, vendor scope and compatibility;
 * resumable upload; hash and config-schema checks; signing into TUF (app releases by the fleet's
 * targets key, vendor artifacts by the vendor's keys through a signing request). Every change is audited.
 */
export class ArtifactService {
  private readonly busy = new Set<string>()
  private readonly ajv = new Ajv({ allErrors: true, strict: false })

  constructor(private readonly o: ArtifactServiceOptions) {}

  private repo(): TufRepository {
    const repo = this.o.repository()
    if (typeof repo === 'string') throw new FleetError(FleetErrorCodes.updatesNotInitialised, repo)
    return repo
  }

  private async audit(
    actor: Actor,
    action: string,
    target: string,
    outcome: 'ok' | 'denied' | 'failed',
    details?: Record<string, unknown>,
  ) {
    await this.o.audit.append({
      actor: actor.principal.userId,
      role: actor.principal.role,
      ip: actor.ip,
      action,
      target,
      outcome,
      ...(details === undefined ? {} : { details }),
    })
  }

  /**
   * Publishes what a vendor signed. A refusal (wrong keys, too few signatures, a stale version) is
   * audited as denied and answered as ERR_FLEET_SIGNING_REQUEST_STALE or _SIGNATURES_REJECTED.
   */
  private async publishSigned<T>(actor: Actor, action: string, target: string, publish: () => Promise<T>): Promise<T> {
    try {
      return await publish()
    } catch (error) {
      if (!(error instanceof UpdateRepositoryError)) throw error
      await this.audit(actor, action, target, 'denied', { code: error.code, reason: error.message })
      const code =
        error.code === UpdateErrorCodes.versionConflict
          ? FleetErrorCodes.signingRequestStale
          : FleetErrorCodes.signaturesRejected
      throw new FleetError(code, error.message, { details: { reason: error.code } })
    }
  }

  // ---- vendors -------------------------------------------------------------------------------

  /**
   * Registers a publisher's delegated role (a vendor's, or a department's for its catalogue), or
   * rotates its keys and threshold.
   */
  async registerVendor(
    actor: Actor,
    input: { id: string; name: string; publicKeys: TufPublicKeyJson[]; threshold: number },
    kind: PublisherKind = 'vendor',
  ): Promise<UpdateVendor> {
    const repo = this.repo()
    let keys: Record<string, TufPublicKeyJson>
    try {
      keys = Object.fromEntries(input.publicKeys.map((k) => [toModelKey(k).keyID, k]))
    } catch (error) {
      throw new FleetError(FleetErrorCodes.badRequest, `bad public key: ${(error as Error).message}`)
    }
    try {
      await repo.addVendor({ kind, id: input.id }, input.publicKeys, input.threshold, this.o.clock())
    } catch (error) {
      if (error instanceof UpdateRepositoryError) throw new FleetError(error.code, error.message)
      throw error
    }
    await this.o.artifacts.saveVendor(
      { id: input.id, name: input.name, publicKeys: keys, threshold: input.threshold },
      kind,
    )
    await this.audit(actor, `updates.${kind}.register`, input.id, 'ok', {
      keyIds: Object.keys(keys),
      threshold: input.threshold,
    })
    const vendor = await this.o.artifacts.vendor(input.id, kind)
    if (vendor === undefined) throw new Error(`${kind} vanished after saving`)
    return vendor
  }

  private checkVendorScope(principal: Principal, publisher: Publisher): void {
    if (publisher.kind === 'vendor' && principal.role === 'vendor' && !principal.vendors.includes(publisher.id)) {
      throw new FleetError(
        FleetErrorCodes.vendorForbidden,
        `you act only for vendors ${principal.vendors.join(', ') || '(none)'}`,
      )
    }
    if (
      publisher.kind === 'department' &&
      principal.role !== 'admin' &&
      !principal.departments.includes(publisher.id)
    ) {
      throw new FleetError(
        FleetErrorCodes.departmentForbidden,
        `you act only for departments ${principal.departments.join(', ') || '(none)'}`,
      )
    }
  }

  /**
   * The vendor role's next version for the vendor to re-sign: the same targets less its revoked
   * artifacts, expiring a year on. Kept so the signatures can be checked against exactly it.
   */
  async vendorResignRequest(
    actor: Actor,
    vendorOrPublisher: string | Publisher,
  ): Promise<{ role: string; version: number; dropped: string[]; metadata: { signed: unknown; signatures: [] } }> {
    const publisher = asPublisherOf(vendorOrPublisher)
    this.checkVendorScope(actor.principal, publisher)
    const revoked = await this.o.artifacts.list({
      ...(publisher.kind === 'vendor' ? { vendors: [publisher.id] } : { departments: [publisher.id] }),
      status: 'revoked',
      limit: 10_000,
    })
    const request = await asHttpError(() =>
      this.repo().vendorResignRequest(
        publisher,
        revoked.map((a) => a.targetPath),
        this.o.clock(),
      ),
    )
    await this.o.artifacts.saveSigningRequest(vendorResignKey(publisher), request.signed)
    return {
      role: request.role,
      version: request.version,
      dropped: request.dropped,
      metadata: { signed: request.signed, signatures: [] },
    }
  }

  /** Publishes the vendor's signatures over the stored re-sign request. */
  async submitVendorResign(
    actor: Actor,
    vendorOrPublisher: string | Publisher,
    input: { signatures: { keyid: string; sig: string }[] },
  ): Promise<{ role: string; version: number; expires: string; dropped: string[] }> {
    const publisher = asPublisherOf(vendorOrPublisher)
    this.checkVendorScope(actor.principal, publisher)
    const signed = await this.o.artifacts.signingRequest(vendorResignKey(publisher))
    if (signed === undefined) {
      throw new FleetError(FleetErrorCodes.signingRequestStale, 'no re-sign request: GET …/signing-request first')
    }
    const action = `updates.${publisher.kind}.resign`
    const published = await this.publishSigned(actor, action, publisher.id, () =>
      this.repo().publishVendorResign(publisher, { signed, signatures: input.signatures }, this.o.clock()),
    )
    await this.o.artifacts.deleteSigningRequest(vendorResignKey(publisher))
    await this.audit(actor, action, publisher.id, 'ok', {
      version: published.version,
      expires: published.expires,
      dropped: published.dropped,
    })
    return published
  }

  /**
   * Publishes the next root version (signed offline). The online keys cannot change this way: the
   * server signs with the keys it was started with, so a rotation of those goes through
   * `updates.rootFile` and `updates.onlineKeysFile` and a restart.
   */
  async updateRoot(actor: Actor, root: unknown): Promise<{ version: number; expires: string }> {
    const repo = this.repo()
    let version: number
    try {
      version = await repo.updateRoot(JSON.stringify(root), this.o.clock())
    } catch (error) {
      if (error instanceof UpdateRepositoryError) {
        await this.audit(actor, 'updates.root.update', 'root', 'failed', { code: error.code })
        throw new FleetError(error.code, error.message)
      }
      throw error
    }
    const expires = await repo.rootExpires()
    await this.audit(actor, 'updates.root.update', 'root', 'ok', { version, expires })
    return { version, expires }
  }

  // ---- artifacts -----------------------------------------------------------------------------

  /** Validates and records a new artifact; returns it with its upload session (offset 0). */
  async create(actor: Actor, req: NewArtifactRequest): Promise<{ artifact: Artifact; upload: ArtifactUpload }> {
    const { principal } = actor
    this.repo()
    const refuse = async (code: FleetErrorCode, message: string, details?: unknown): Promise<never> => {
      await this.audit(actor, 'artifact.create', req.deviceModel ?? req.kind, 'denied', { code, reason: message })
      throw new FleetError(code, message, { details })
    }
    if (req.length > this.o.maxArtifactBytes) {
      await refuse(
        FleetErrorCodes.artifactTooLarge,
        `artifact of ${req.length} bytes exceeds the limit of ${this.o.maxArtifactBytes}`,
      )
    }
    const machineTypes = [...new Set(req.compatibility.machineTypes ?? [])]
    const hwRevisions = [...new Set(req.compatibility.hwRevisions ?? [])]
    const unknownTypes = machineTypes.filter((t) => !(MACHINE_TYPES as readonly string[]).includes(t))
    if (unknownTypes.length > 0) {
      await refuse(
        FleetErrorCodes.unknownMachineType,
        `unknown machine types ${unknownTypes.join(', ')} (known: ${MACHINE_TYPES.join(', ')})`,
      )
    }
    const minAppVersion = req.compatibility.minAppVersion
    if (minAppVersion !== undefined && !APP_VERSION.test(minAppVersion)) {
      await refuse(FleetErrorCodes.artifactInvalid, `minAppVersion ${minAppVersion} is not a version like 1.2.0`)
    }
    let vendor: string | null = null
    let model: DeviceModelInfo | undefined
    const department = req.kind === 'catalogue' ? (req.department ?? '') : null
    if (req.kind !== 'catalogue' && req.department !== undefined) {
      await refuse(FleetErrorCodes.artifactInvalid, `a ${req.kind} artifact has no department`)
    }
    if (req.kind === 'catalogue') {
      await this.checkCatalogueRequest(req, principal, hwRevisions, refuse)
    } else if (req.kind === 'app') {
      if (principal.role !== 'admin') {
        await refuse(FleetErrorCodes.appReleaseAdminOnly, 'kiosk app releases are pushed by an admin')
      }
      if (req.vendor !== undefined || req.deviceModel !== undefined) {
        await refuse(FleetErrorCodes.artifactInvalid, 'an app release has no vendor or deviceModel')
      }
      if (!APP_VERSION.test(req.version)) {
        await refuse(FleetErrorCodes.artifactInvalid, `app version ${req.version} is not a version like 1.2.0`)
      }
      if (hwRevisions.length > 0) {
        await refuse(FleetErrorCodes.artifactInvalid, 'hwRevisions apply to firmware and config, not app releases')
      }
    } else {
      if (principal.role === 'department') {
        await refuse(FleetErrorCodes.vendorForbidden, `a department pushes catalogue bundles, not ${req.kind}`)
      }
      if (req.deviceModel === undefined) {
        await refuse(FleetErrorCodes.artifactInvalid, `a ${req.kind} artifact needs deviceModel`)
      }
      model = this.o.models.model(req.deviceModel as string)
      if (model === undefined) {
        await refuse(FleetErrorCodes.unknownDeviceModel, `the device registry has no model ${req.deviceModel}`)
      }
      const m = model as DeviceModelInfo
      vendor = m.vendorId
      if (req.vendor !== undefined && req.vendor !== vendor) {
        await refuse(FleetErrorCodes.vendorMismatch, `model ${m.id} belongs to vendor ${vendor}, not ${req.vendor}`)
      }
      if (principal.role === 'vendor' && !principal.vendors.includes(vendor)) {
        await refuse(
          FleetErrorCodes.vendorForbidden,
          `you may push only for vendors ${principal.vendors.join(', ') || '(none)'}; ${m.id} is ${vendor}'s`,
        )
      }
      if (req.kind === 'firmware' && m.update?.firmware !== true) {
        await refuse(FleetErrorCodes.modelTakesNoFirmware, `model ${m.id} takes no firmware updates`)
      }
      if (req.kind === 'config') {
        if (m.update?.configSchema === undefined) {
          await refuse(
            FleetErrorCodes.modelTakesNoConfig,
            `model ${m.id} has no configuration schema, so it takes no config`,
          )
        }
        if (!req.fileName.endsWith('.json')) {
          await refuse(FleetErrorCodes.artifactInvalid, 'a config artifact is a .json file')
        }
      }
      const known = m.update?.hwRevisions
      if (known !== undefined && known.length > 0) {
        const unknown = hwRevisions.filter((r) => !known.includes(r))
        if (unknown.length > 0) {
          await refuse(
            FleetErrorCodes.unknownHwRevision,
            `model ${m.id} has no hardware revisions ${unknown.join(', ')} (known: ${known.join(', ')})`,
          )
        }
      }
      if ((await this.o.artifacts.vendor(vendor)) === undefined) {
        await refuse(
          FleetErrorCodes.unknownUpdateVendor,
          `vendor ${vendor} has no signing keys registered (POST /api/update-vendors)`,
        )
      }
    }
    const targetPath = artifactTargetPath(
      req.kind,
      req.version,
      req.fileName,
      vendor ?? undefined,
      model?.id,
      department ?? undefined,
    )
    const compatibility: ArtifactCompatibility = {
      machineTypes,
      hwRevisions,
      ...(minAppVersion === undefined ? {} : { minAppVersion }),
    }
    const id = newId('art', 8)
    const upload = { id: newId('upl', 16), expiresAt: new Date(this.o.clock() + this.o.uploadTtlMs) }
    const created = await this.o.artifacts.create(
      {
        id,
        kind: req.kind,
        version: req.version,
        vendor,
        department,
        deviceModel: model?.id ?? null,
        deviceClass: model?.deviceClass ?? null,
        targetPath,
        sha256: req.sha256.toLowerCase(),
        length: req.length,
        compatibility,
        notes: req.notes ?? '',
        uploadedBy: principal.userId,
      },
      upload,
    )
    if (!created) {
      await refuse(
        FleetErrorCodes.artifactExists,
        `an artifact with path ${targetPath} or this kind/model/version exists already`,
      )
    }
    await this.audit(actor, 'artifact.create', id, 'ok', {
      kind: req.kind,
      version: req.version,
      targetPath,
      length: req.length,
    })
    const artifact = await this.o.artifacts.get(id)
    const session = await this.o.artifacts.upload(upload.id)
    if (artifact === undefined || session === undefined) throw new Error('artifact vanished after creation')
    return { artifact, upload: session }
  }

  /**
   * A catalogue bundle: pushed by an admin or a user of its department, for a department with signing
   * keys registered, versioned like vendor artifacts, with no device, vendor or hardware revisions.
   */
  private async checkCatalogueRequest(
    req: NewArtifactRequest,
    principal: Principal,
    hwRevisions: string[],
    refuse: (code: FleetErrorCode, message: string) => Promise<never>,
  ): Promise<void> {
    const department = req.department
    if (department === undefined || !DEPARTMENT_ID.test(department)) {
      await refuse(FleetErrorCodes.artifactInvalid, 'a catalogue artifact needs department (a department id)')
    }
    const id = department as string
    if (principal.role !== 'admin' && !(principal.role === 'department' && principal.departments.includes(id))) {
      await refuse(
        FleetErrorCodes.departmentForbidden,
        `catalogue bundles are pushed by an admin or a user of the department; you act for ${principal.departments.join(', ') || '(none)'}`,
      )
    }
    if (req.vendor !== undefined || req.deviceModel !== undefined || hwRevisions.length > 0) {
      await refuse(FleetErrorCodes.artifactInvalid, 'a catalogue bundle has no vendor, deviceModel or hwRevisions')
    }
    if (!new RegExp(ARTIFACT_VERSION_PATTERN).test(req.version)) {
      await refuse(FleetErrorCodes.artifactInvalid, `catalogue version ${req.version} is not a safe version name`)
    }
    if ((await this.o.artifacts.vendor(id, 'department')) === undefined) {
      await refuse(
        FleetErrorCodes.unknownUpdateDepartment,
        `department ${id} has no signing keys registered (POST /api/update-departments)`,
      )
    }
  }

  /** What a principal may see: vendor users only their vendors' artifacts. */
  async get(principal: Principal, id: string): Promise<ArtifactWithApprovals> {
    const artifact = await this.o.artifacts.getWithApprovals(id)
    if (artifact === undefined || !this.visible(principal, artifact)) {
      throw new FleetError(FleetErrorCodes.artifactNotFound, `no artifact ${id}`)
    }
    return artifact
  }

  visible(principal: Principal, artifact: Artifact): boolean {
    return principal.role !== 'vendor' || (artifact.vendor !== null && principal.vendors.includes(artifact.vendor))
  }

  // ---- uploads -------------------------------------------------------------------------------

  /** The upload of `id` if this principal may write it (its creator, or an admin). */
  async uploadFor(principal: Principal, id: string): Promise<ArtifactUpload> {
    const upload = /^upl_[0-9a-f]{32}$/.test(id) ? await this.o.artifacts.upload(id) : undefined
    if (upload === undefined || (upload.createdBy !== principal.userId && principal.role !== 'admin')) {
      throw new FleetError(FleetErrorCodes.uploadNotFound, `no upload ${id}`)
    }
    return upload
  }

  /**
   * Appends a PATCH body at `offset`. Returns the acknowledged offset and, when the last byte
   * landed, the artifact's new status. One PATCH per upload at a time.
   */
  async patch(
    actor: Actor,
    uploadId: string,
    offset: number,
    body: Readable,
  ): Promise<{ offset: number; length: number; status?: Artifact['status'] | undefined }> {
    await this.uploadFor(actor.principal, uploadId)
    if (this.busy.has(uploadId)) {
      throw new FleetError(FleetErrorCodes.uploadBusy, 'another PATCH to this upload is in progress')
    }
    this.busy.add(uploadId)
    try {
      const current = await this.uploadFor(actor.principal, uploadId)
      if (current.completedAt !== null) {
        throw new FleetError(FleetErrorCodes.artifactState, 'upload already complete', {
          details: {
            offset: current.receivedLength,
          },
        })
      }
      if (Date.parse(current.expiresAt) < this.o.clock()) {
        throw new FleetError(
          FleetErrorCodes.uploadExpired,
          `upload expired at ${current.expiresAt}; create the artifact again`,
        )
      }
      if (offset !== current.receivedLength) {
        throw new FleetError(
          FleetErrorCodes.uploadOffsetMismatch,
          `Upload-Offset ${offset} does not match the server's ${current.receivedLength}`,
          {
            details: {
              offset: current.receivedLength,
            },
          },
        )
      }
      const room = current.totalLength - current.receivedLength
      const outcome = await this.o.spool.append(uploadId, offset, room, body)
      const acknowledged = offset + outcome.written
      if (outcome.written > 0 && !(await this.o.artifacts.advanceUpload(uploadId, offset, acknowledged))) {
        throw new FleetError(FleetErrorCodes.uploadOffsetMismatch, 'the upload moved meanwhile')
      }
      const status =
        acknowledged < current.totalLength
          ? undefined
          : await this.complete(actor, { ...current, receivedLength: acknowledged })
      if (outcome.overflow) {
        throw new FleetError(
          FleetErrorCodes.uploadTooLong,
          `the body goes past Upload-Length ${current.totalLength}; kept the first ${acknowledged} bytes`,
          { details: { offset: acknowledged, status } },
        )
      }
      return { offset: acknowledged, length: current.totalLength, status }
    } finally {
      this.busy.delete(uploadId)
    }
  }

  /** All bytes are in: hash, schema, sign or hand to the vendor for signing. */
  private async complete(actor: Actor, upload: ArtifactUpload): Promise<Artifact['status']> {
    const artifact = await this.o.artifacts.get(upload.artifactId)
    if (artifact === undefined) throw new FleetError(FleetErrorCodes.artifactNotFound, 'artifact gone')
    const reject = async (reason: string, details?: Record<string, unknown>): Promise<'rejected'> => {
      await this.o.artifacts.setStatus(artifact.id, ['uploading'], 'rejected', reason)
      await this.o.artifacts.completeUpload(upload.id)
      await this.o.spool.remove(upload.id)
      await this.audit(actor, 'artifact.reject', artifact.id, 'failed', { reason, ...details })
      return 'rejected'
    }
    const sha256 = await this.o.spool.sha256(upload.id, upload.totalLength)
    if (sha256 !== upload.expectedSha256) {
      return reject(`sha256 mismatch: announced ${upload.expectedSha256}, received ${sha256}`)
    }
    const content = await this.contentProblems(artifact, upload)
    if (content.length > 0) return reject(content.join('; '), { errors: content })
    if (artifact.kind === 'config') {
      const problems = this.configProblems(artifact, await this.o.spool.read(upload.id, upload.totalLength))
      if (problems.length > 0)
        return reject(`configuration does not match the model's schema: ${problems.join('; ')}`, { errors: problems })
    }
    if (artifact.kind === 'app') {
      const bytes = await this.o.spool.read(upload.id, upload.totalLength)
      try {
        await this.repo().addTarget(artifact.targetPath, bytes, this.o.clock(), targetCustom(artifact))
      } catch (error) {
        if (error instanceof UpdateRepositoryError) return reject(`signing failed: ${error.message}`)
        throw error
      }
      await this.o.artifacts.setStatus(artifact.id, ['uploading'], 'ready')
      await this.o.artifacts.completeUpload(upload.id)
      await this.o.spool.remove(upload.id)
      await this.audit(actor, 'artifact.ready', artifact.id, 'ok', { targetPath: artifact.targetPath, sha256 })
      return 'ready'
    }
    await this.o.artifacts.setStatus(artifact.id, ['uploading'], 'signing')
    await this.o.artifacts.completeUpload(upload.id)
    await this.audit(actor, 'artifact.uploaded', artifact.id, 'ok', { sha256, awaiting: 'vendor signatures' })
    return 'signing'
  }

  /**
   * An app release needs a valid release.json; firmware must parse as its model's image format; a
   * catalogue bundle must be its department's and version's, and a valid catalogue (every error listed).
   */
  private async contentProblems(artifact: Artifact, upload: ArtifactUpload): Promise<string[]> {
    if (artifact.kind === 'catalogue') {
      const read = readCatalogueBundle(await this.o.spool.read(upload.id, upload.totalLength), {
        department: artifact.department ?? '',
        version: artifact.version,
      })
      const describe = (e: CatalogueError) => `${e.file}${e.pointer === '' ? '' : ` ${e.pointer}`}: ${e.message}`
      if (!read.ok) return read.errors.map(describe)
      if (this.o.fleetCatalogueFiles === undefined) return []
      // As a kiosk will run it: over the fleet's catalogue, with the other departments' bundles.
      const others = ((await this.o.publishedCatalogue?.()) ?? []).filter(
        (b) => b.department !== read.bundle.department,
      )
      const fleet = overlayCatalogue(this.o.fleetCatalogueFiles(), [...others, read.bundle])
      return fleet.ok ? [] : fleet.errors.map((e) => `with the fleet's catalogue: ${describe(e)}`)
    }
    if (artifact.kind === 'app') {
      const problems = await appReleaseProblems(
        await this.o.spool.read(upload.id, upload.totalLength),
        artifact.version,
      )
      return problems.map((p) => `not a valid app release: ${p}`)
    }
    if (artifact.kind === 'firmware' && artifact.deviceModel !== null) {
      const format = this.o.models.model(artifact.deviceModel)?.update?.firmwareFormat ?? DEFAULT_FIRMWARE_FORMAT
      const bytes = await this.o.spool.read(upload.id, upload.totalLength)
      const problems = firmwareProblems(bytes, format, { model: artifact.deviceModel, version: artifact.version })
      return problems.map((p) => `not a ${format} firmware image for ${artifact.deviceModel}: ${p}`)
    }
    return []
  }

  private configProblems(artifact: Artifact, bytes: Buffer): string[] {
    const schema =
      artifact.deviceModel === null ? undefined : this.o.models.model(artifact.deviceModel)?.update?.configSchema
    if (schema === undefined) return [`model ${artifact.deviceModel} has no configuration schema`]
    let value: unknown
    try {
      value = JSON.parse(bytes.toString('utf8'))
    } catch (error) {
      return [`not JSON: ${(error as Error).message}`]
    }
    let validate: ReturnType<Ajv['compile']>
    try {
      validate = this.ajv.compile(schema)
    } catch (error) {
      return [`the model's schema does not compile: ${(error as Error).message}`]
    }
    if (validate(value)) return []
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
  }

  // ---- vendor signing ------------------------------------------------------------------------

  private async signingArtifact(
    actor: Actor,
    id: string,
  ): Promise<{ artifact: Artifact; publisher: Publisher; upload: ArtifactUpload; target: VendorTargetInput }> {
    const artifact = await this.get(actor.principal, id)
    const publisher = publisherOf(artifact)
    if (publisher === undefined) {
      throw new FleetError(FleetErrorCodes.artifactState, 'an app release is signed by the fleet, not a vendor')
    }
    this.checkVendorScope(actor.principal, publisher)
    if (artifact.status !== 'signing') {
      throw new FleetError(FleetErrorCodes.artifactState, `artifact is ${artifact.status}, not waiting for signatures`)
    }
    const upload = await this.o.artifacts.uploadOf(id)
    if (upload === undefined || artifact.sha256 === null || artifact.length === null) {
      throw new FleetError(FleetErrorCodes.artifactState, 'artifact has no completed upload')
    }
    return {
      artifact,
      publisher,
      upload,
      target: {
        path: artifact.targetPath,
        length: artifact.length,
        sha256: artifact.sha256,
        custom: targetCustom(artifact),
      },
    }
  }

  /** The vendor role's next metadata with this artifact, unsigned; kept so the signatures can be checked against it. */
  async signingRequest(
    actor: Actor,
    id: string,
  ): Promise<{ role: string; version: number; metadata: { signed: unknown; signatures: [] } }> {
    const { publisher, target } = await this.signingArtifact(actor, id)
    const request = await asHttpError(() => this.repo().vendorSigningRequest(publisher, target, this.o.clock()))
    await this.o.artifacts.saveSigningRequest(id, request.signed)
    return { role: request.role, version: request.version, metadata: { signed: request.signed, signatures: [] } }
  }

  /**
   * Publishes the vendor's signatures over the stored signing request (or a whole signed document),
   * then the artifact is `ready`. Wrong keys, too few signatures or a stale version are refused and
   * the artifact stays `signing`.
   */
  async submitSignatures(
    actor: Actor,
    id: string,
    input: { signatures?: { keyid: string; sig: string }[] | undefined; metadata?: unknown },
  ): Promise<Artifact> {
    const { artifact, publisher, upload, target } = await this.signingArtifact(actor, id)
    let document: unknown = input.metadata
    if (document === undefined) {
      const signed = await this.o.artifacts.signingRequest(id)
      if (signed === undefined) {
        throw new FleetError(FleetErrorCodes.signingRequestStale, 'no signing request: GET …/signing-request first')
      }
      document = { signed, signatures: input.signatures ?? [] }
    }
    const bytes = await this.o.spool.read(upload.id, upload.totalLength)
    await this.publishSigned(actor, 'artifact.sign', id, () =>
      this.repo().publishVendorMetadata(publisher, document, target, bytes, this.o.clock()),
    )
    await this.o.artifacts.setStatus(id, ['signing'], 'ready')
    await this.o.artifacts.deleteSigningRequest(id)
    await this.o.spool.remove(upload.id)
    await this.audit(actor, 'artifact.sign', id, 'ok', { targetPath: artifact.targetPath })
    return this.get(actor.principal, id)
  }

  // ---- approvals and revocation --------------------------------------------------------------

  private checkDepartment(principal: Principal, department: string): void {
    if (principal.role === 'department' && !principal.departments.includes(department)) {
      throw new FleetError(
        FleetErrorCodes.departmentForbidden,
        `you approve only for ${principal.departments.join(', ') || '(none)'}`,
      )
    }
  }

  async approve(actor: Actor, id: string, department: string): Promise<ArtifactWithApprovals> {
    this.checkDepartment(actor.principal, department)
    const artifact = await this.get(actor.principal, id)
    if (artifact.status === 'rejected' || artifact.status === 'revoked') {
      throw new FleetError(FleetErrorCodes.artifactState, `artifact is ${artifact.status}`)
    }
    await this.o.artifacts.approve(id, department, actor.principal.userId)
    await this.audit(actor, 'artifact.approve', id, 'ok', { department })
    return this.get(actor.principal, id)
  }

  async withdrawApproval(actor: Actor, id: string, department: string): Promise<ArtifactWithApprovals> {
    this.checkDepartment(actor.principal, department)
    await this.get(actor.principal, id)
    const removed = await this.o.artifacts.withdrawApproval(id, department)
    await this.audit(actor, 'artifact.approval.withdraw', id, 'ok', { department, removed })
    return this.get(actor.principal, id)
  }

  /**
   * Marks an artifact revoked: no new rollout may use it. A published app release also leaves
   * `targets.json`, so no kiosk verifies it again; a vendor's target stays listed, since only the
   * vendor's keys can re-sign its role (see docs/updates.md). Revoking again retries the removal.
   */
  async revoke(actor: Actor, id: string, reason: string): Promise<ArtifactWithApprovals> {
    const artifact = await this.get(actor.principal, id)
    if (artifact.status !== 'revoked') {
      if (!(await this.o.artifacts.setStatus(id, ['uploading', 'signing', 'ready', 'rejected'], 'revoked', reason))) {
        throw new FleetError(FleetErrorCodes.artifactState, 'artifact changed meanwhile')
      }
      const upload = await this.o.artifacts.uploadOf(id)
      if (upload !== undefined) await this.o.spool.remove(upload.id)
    }
    const unlisted =
      artifact.kind === 'app' && typeof this.o.repository() !== 'string'
        ? await this.repo().removeTarget(artifact.targetPath, this.o.clock())
        : false
    if (artifact.status !== 'revoked' || unlisted) {
      await this.audit(actor, 'artifact.revoke', id, 'ok', { reason, ...(unlisted ? { unlisted: true } : {}) })
    }
    return this.get(actor.principal, id)
  }

  /**
   * Each department's newest published catalogue bundle, read back from the signed targets in `store`
   * (what kiosks download), for the fleet's own view of the catalogue. One that no longer reads is
   * logged and left out.
   */
  async publishedCatalogueBundles(store: Pick<TufMetadataStore, 'readTarget'>): Promise<CatalogueBundle[]> {
    const out: CatalogueBundle[] = []
    for (const artifact of await this.o.artifacts.latestCatalogueBundles()) {
      const bytes =
        artifact.sha256 === null
          ? undefined
          : await store.readTarget(hashPrefixedTargetPath(artifact.targetPath, artifact.sha256))
      const read = bytes === undefined ? undefined : readCatalogueBundle(bytes)
      if (read?.ok) out.push(read.bundle)
      else this.o.logger.warn({ artifactId: artifact.id }, 'a published catalogue bundle could not be read back')
    }
    return out
  }

  /** Rejects uploads past their expiry and frees their spool files (run periodically). */
  async expireUploads(): Promise<number> {
    const expired = await this.o.artifacts.expiredUploads(new Date(this.o.clock()))
    for (const upload of expired) {
      await this.o.artifacts.setStatus(
        upload.artifactId,
        ['uploading'],
        'rejected',
        `upload expired at ${upload.expiresAt}`,
      )
      await this.o.artifacts.completeUpload(upload.id)
      await this.o.spool.remove(upload.id)
      this.o.logger.info({ uploadId: upload.id, artifactId: upload.artifactId }, 'upload expired')
    }
    return expired.length
  }
}

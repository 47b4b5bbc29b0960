import { createHash } from 'node:crypto'
import { Metadata, MetadataKind, MetaFile, type Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models'
import type { TufMetadataStore } from './metadata-store.ts'
import { rootChainFailure, TUF_SPEC_VERSION } from './root-metadata.ts'
import { type TufPublicKeyJson, type TufSigner, toModelKey } from './tuf-keys.ts'
import { DAY_MS, HOUR_MS, tufExpires } from './tuf-time.ts'
import { UpdateErrorCodes, UpdateRepositoryError } from './update-errors.ts'

/** Keys the server holds online. Root keys are never among them. */
export interface OnlineSigners {
  targets: TufSigner
  snapshot: TufSigner
  timestamp: TufSigner
}

export interface RepositoryLifetimes {
  targetsMs: number
  vendorMs: number
  snapshotMs: number
  timestampMs: number
  /** Re-sign the top-level targets when less than this is left. */
  targetsRefreshMs: number
  /** Re-sign the snapshot when less than this is left. */
  snapshotRefreshMs: number
  /** Re-sign the timestamp when less than this is left. */
  timestampRefreshMs: number
}

export const DEFAULT_LIFETIMES: RepositoryLifetimes = {
  targetsMs: 365 * DAY_MS,
  vendorMs: 365 * DAY_MS,
  snapshotMs: 7 * DAY_MS,
  timestampMs: DAY_MS,
  targetsRefreshMs: 30 * DAY_MS,
  snapshotRefreshMs: 3 * DAY_MS,
  timestampRefreshMs: 12 * HOUR_MS,
}

const VENDOR_ID = /^[a-z0-9][a-z0-9-]{0,62}$/
type DelegatedRoleJson = {
  name: string
  keyids: string[]
  threshold: number
  terminating: boolean
  paths: string[]
}

type DelegationsJson = {
  keys: Record<string, TufPublicKeyJson>
  roles: DelegatedRoleJson[]
}

/** The delegations of a targets role in JSON form (@tufjs/models exports no Delegations class). */
function delegationsJson(targets: Targets): DelegationsJson {
  const json = targets.delegations?.toJSON() as DelegationsJson | undefined
  return { keys: { ...(json?.keys ?? {}) }, roles: [...(json?.roles ?? [])] }
}

const TARGET_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/

/**
 * Who signs a delegated role with keys the fleet never holds: a device vendor (its firmware and
 * config) or a department (its part of the service catalogue). Where a method takes `Publisher |
 * string`, a string is a vendor id.
 */
export interface Publisher {
  kind: 'vendor' | 'department'
  id: string
}

export function departmentPublisher(id: string): Publisher {
  return { kind: 'department', id }
}

function asPublisher(publisher: Publisher | string): Publisher {
  return typeof publisher === 'string' ? { kind: 'vendor', id: publisher } : publisher
}

/** The delegated role's name: `vendor-<id>` or `department-<id>`. */
export function publisherRoleName(publisher: Publisher | string): string {
  const p = asPublisher(publisher)
  return `${p.kind}-${p.id}`
}

/**
 * The only paths a publisher's delegated role may sign: a vendor its firmware and config, per model
 * or flat; a department its catalogue bundles.
 */
export function publisherPaths(publisher: Publisher | string): string[] {
  const { kind, id } = asPublisher(publisher)
  if (kind === 'department') return [`catalogue/${id}/*`]
  return [`firmware/${id}/*`, `firmware/${id}/*/*`, `config/${id}/*`, `config/${id}/*/*`]
}

export function vendorRoleName(vendor: string): string {
  return publisherRoleName(vendor)
}

export function vendorPaths(vendor: string): string[] {
  return publisherPaths(vendor)
}

function describe(publisher: Publisher): string {
  return `${publisher.kind} ${publisher.id}`
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

function serialize(metadata: Metadata<Root | Targets | Snapshot | Timestamp>): string {
  return JSON.stringify(metadata.toJSON())
}

/** The file name a target blob is published under with consistent snapshots: `dir/<sha256>.<base>`. */
export function hashPrefixedTargetPath(path: string, sha256: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? `${sha256}.${path}` : `${path.slice(0, slash)}/${sha256}.${path.slice(slash + 1)}`
}

/** A target the repository is asked to list: its path, size, hash and custom fields. */
export interface VendorTargetInput {
  path: string
  length: number
  sha256: string
  custom?: Record<string, unknown> | undefined
}

/** The unsigned next version of a vendor's role: `signed` is what the vendor's keys sign. */
export interface VendorSigningRequest {
  role: string
  version: number
  signed: Record<string, unknown>
}

function targetFileOf(target: VendorTargetInput): TargetFile {
  if (!/^[0-9a-f]{64}$/.test(target.sha256) || !Number.isSafeInteger(target.length) || target.length < 0) {
    throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, 'target needs a sha256 (hex) and a length')
  }
  return new TargetFile({
    path: target.path,
    length: target.length,
    hashes: { sha256: target.sha256 },
    ...(target.custom === undefined ? {} : { unrecognizedFields: customFields(target.custom) }),
  })
}

type UnrecognizedFields = NonNullable<ConstructorParameters<typeof TargetFile>[0]['unrecognizedFields']>

/** A target's `custom` object, as plain JSON (undefined values dropped). */
function customFields(custom: Record<string, unknown>): UnrecognizedFields {
  return { custom: JSON.parse(JSON.stringify(custom)) as UnrecognizedFields[string] }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export interface RefreshOutcome {
  targets: boolean
  snapshot: boolean
  timestamp: boolean
}

/**
 * The update repository: builds and signs TUF metadata into a store. Every change publishes a new
 * role version, then a new snapshot, then a new timestamp, in that order, so a client never sees a
 * timestamp pointing at files that are not there yet. State is read back from the store each time.
 */
export class TufRepository {
  private queue: Promise<unknown> = Promise.resolve()
  /** After a restore from backup: no role is published below this version (docs/operations.md). */
  private versionFloor = 0
  /** The store view of the running serialised task (one transaction under a lock), if any. */
  private active: TufMetadataStore | undefined

  private constructor(
    private readonly baseStore: TufMetadataStore,
    private readonly signers: OnlineSigners,
    private readonly lifetimes: RepositoryLifetimes,
  ) {}

  private get store(): TufMetadataStore {
    return this.active ?? this.baseStore
  }

  /** Publishes the offline-signed root and empty targets/snapshot/timestamp (version 1). */
  static async initialize(
    store: TufMetadataStore,
    rootJson: string,
    signers: OnlineSigners,
    now: number,
    lifetimes: RepositoryLifetimes = DEFAULT_LIFETIMES,
  ): Promise<TufRepository> {
    const root = parseRoot(rootJson)
    checkSignersMatchRoot(root, signers)
    const repo = new TufRepository(store, signers, lifetimes)
    await repo.serialised(async () => {
      if ((await repo.store.readMetadata('timestamp.json')) !== undefined) {
        throw new UpdateRepositoryError(UpdateErrorCodes.repositoryState, 'repository already initialised')
      }
      const rootText = serialize(root)
      await repo.store.writeMetadata(`${root.signed.version}.root.json`, rootText)
      await repo.store.writeMetadata('root.json', rootText)
      const targets = new Metadata(
        new Targets({ version: 1, specVersion: TUF_SPEC_VERSION, expires: tufExpires(now + lifetimes.targetsMs) }),
      )
      targets.sign(signers.targets.sign)
      await repo.writeRole('targets', targets)
      await repo.publishSnapshot(new Map([['targets.json', 1]]), 0, now)
    })
    return repo
  }

  /**
   * Opens a repository already published in the store, checking the signers against its root. With
   * `nextRoot` newer than the stored root (a renewal or key rotation signed offline, given as the
   * server's `updates.rootFile`), that root is published first and the signers must match it.
   */
  static async open(
    store: TufMetadataStore,
    signers: OnlineSigners,
    lifetimes: RepositoryLifetimes = DEFAULT_LIFETIMES,
    nextRoot?: { json: string; now: number },
  ): Promise<TufRepository> {
    const rootText = await store.readMetadata('root.json')
    if (rootText === undefined) {
      throw new UpdateRepositoryError(UpdateErrorCodes.repositoryState, 'no root.json in the store')
    }
    const stored = parseRoot(rootText)
    const repo = new TufRepository(store, signers, lifetimes)
    if (nextRoot !== undefined && rootVersionOf(nextRoot.json) > stored.signed.version) {
      await repo.updateRoot(nextRoot.json, nextRoot.now)
    } else {
      checkSignersMatchRoot(stored, signers)
    }
    return repo
  }

  /**
   * Publishes the next root version, signed offline (`root-keys-cli sign-root`): a renewed expiry,
   * new root keys or new online keys. It must be exactly one version on, carry the threshold of the
   * current root's keys and of its own (what a TUF client checks), and list the online keys this
   * server signs with. Targets, snapshot and timestamp are then re-signed, so rotated online keys
   * take effect at once. Returns the new root version.
   */
  updateRoot(rootJson: string, now: number): Promise<number> {
    return this.serialised(async () => {
      const current = parseRoot(await this.readRequired('root.json'))
      let next: Metadata<Root>
      try {
        next = Metadata.fromJSON(MetadataKind.Root, JSON.parse(rootJson))
      } catch (error) {
        throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `not root metadata: ${errorText(error)}`)
      }
      const version = next.signed.version
      if (version !== current.signed.version + 1) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.invalidInput,
          `root version ${version} does not follow the published version ${current.signed.version}`,
        )
      }
      const short = rootChainFailure(current, next)
      if (short !== undefined) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.invalidInput,
          `root version ${version} lacks the threshold of signatures of the ${short} root keys`,
        )
      }
      if (Date.parse(next.signed.expires) <= now) {
        throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `root version ${version} has expired`)
      }
      checkSignersMatchRoot(next, this.signers)
      const rootText = serialize(next)
      await this.store.writeMetadata(`${version}.root.json`, rootText)
      await this.store.writeMetadata('root.json', rootText)
      await this.publishTargets(await this.loadTargets('targets'), now)
      return version
    })
  }

  /**
   * When each vendor's (or department's) published role expires, by id (those that never published
   * are left out). Only the publisher's keys renew it (`vendorResignRequest`).
   */
  vendorRoleExpiries(kind: Publisher['kind'] = 'vendor'): Promise<Record<string, string>> {
    return this.serialised(async () => {
      const top = await this.loadTargets('targets')
      const out: Record<string, string> = {}
      for (const name of Object.keys(top.signed.delegations?.roles ?? {})) {
        if (!name.startsWith(`${kind}-`)) continue
        if ((await this.store.readMetadata(`${name}.json`)) === undefined) continue
        out[name.slice(kind.length + 1)] = (await this.loadTargets(name)).signed.expires
      }
      return out
    })
  }

  /** When the published root expires. */
  rootExpires(): Promise<string> {
    return this.serialised(async () => parseRoot(await this.readRequired('root.json')).signed.expires)
  }

  /**
   * Delegates `firmware/<vendor>/…` and `config/<vendor>/…` (a department: `catalogue/<department>/…`),
   * terminating, to the publisher's keys; for an existing one this replaces (rotates) its keys and threshold.
   */
  addVendor(publisher: Publisher | string, keys: TufPublicKeyJson[], threshold: number, now: number): Promise<void> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      if (!VENDOR_ID.test(p.id)) {
        throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `bad ${p.kind} id: ${p.id}`)
      }
      if (keys.length === 0 || !Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
        throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `${p.kind} threshold must be 1..number of keys`)
      }
      const top = await this.loadTargets('targets')
      const roleName = publisherRoleName(p)
      const delegations = delegationsJson(top.signed)
      for (const key of keys) delegations.keys[toModelKey(key).keyID] = { ...key, keyval: { ...key.keyval } }
      const role: DelegatedRoleJson = {
        name: roleName,
        keyids: keys.map((key) => toModelKey(key).keyID),
        threshold,
        terminating: true,
        paths: publisherPaths(p),
      }
      delegations.roles = [...delegations.roles.filter((r) => r.name !== roleName), role]
      // Re-adding a vendor rotates its keys: keys no role lists any more are dropped.
      const referenced = new Set(delegations.roles.flatMap((r) => r.keyids))
      for (const id of Object.keys(delegations.keys)) if (!referenced.has(id)) delete delegations.keys[id]
      const next = new Metadata(
        Targets.fromJSON({
          ...top.signed.toJSON(),
          version: this.nextVersion(top.signed.version),
          expires: tufExpires(now + this.lifetimes.targetsMs),
          delegations: { keys: delegations.keys, roles: delegations.roles.map((r) => ({ ...r })) },
        }),
      )
      next.sign(this.signers.targets.sign)
      await this.writeRole('targets', next)
      // The publisher's role is published with its first target, signed by the publisher.
      await this.publishSnapshotWith(new Map([['targets.json', next.signed.version]]), now)
    })
  }

  /** A kiosk app release or fleet-wide file in the top-level targets role (signed with the targets key). */
  addTarget(path: string, bytes: Uint8Array, now: number, custom?: Record<string, unknown>): Promise<void> {
    return this.serialised(async () => {
      checkTargetPath(path)
      const top = await this.loadTargets('targets')
      for (const role of Object.values(top.signed.delegations?.roles ?? {})) {
        if (role.isDelegatedPath(path)) {
          throw new UpdateRepositoryError(
            UpdateErrorCodes.invalidInput,
            `${path} belongs to the delegated role ${role.name}; add it with that publisher's keys`,
          )
        }
      }
      const file = await this.storeBlob(path, bytes, custom)
      await this.publishTargets(top, now, { ...top.signed.targets, [path]: file })
    })
  }

  /**
   * Takes a top-level target out of `targets.json` (a revoked app release), so no kiosk verifies it
   * again, whoever tells it to install. Returns false when it was not listed (idempotent).
   */
  removeTarget(path: string, now: number): Promise<boolean> {
    return this.serialised(async () => {
      const top = await this.loadTargets('targets')
      if (top.signed.targets[path] === undefined) return false
      await this.publishTargets(
        top,
        now,
        Object.fromEntries(Object.entries(top.signed.targets).filter(([p]) => p !== path)),
      )
      return true
    })
  }

  /**
   * A vendor's firmware or config, signed with the vendor's keys (at least the delegated threshold).
   * A path outside the vendor's prefixes, or a key the vendor's role does not list, is refused.
   */
  addVendorTarget(
    publisher: Publisher | string,
    path: string,
    bytes: Uint8Array,
    vendorSigners: TufSigner[],
    now: number,
    custom?: Record<string, unknown>,
  ): Promise<void> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      checkTargetPath(path)
      const roleName = publisherRoleName(p)
      const { top, role } = await this.delegatedRole(p, path)
      const foreign = vendorSigners.filter((s) => !role.keyIDs.includes(s.keyId))
      if (foreign.length > 0 || new Set(vendorSigners.map((s) => s.keyId)).size < role.threshold) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.keyNotDelegated,
          `${describe(p)} needs ${role.threshold} of its own delegated keys to sign ${path}`,
        )
      }
      const current = await this.loadTargetsOrEmpty(roleName, now)
      const file = await this.storeBlob(path, bytes, custom)
      const next = new Metadata(
        new Targets({
          version: this.nextVersion(current.signed.version),
          specVersion: TUF_SPEC_VERSION,
          expires: tufExpires(now + this.lifetimes.vendorMs),
          targets: { ...current.signed.targets, [path]: file },
        }),
      )
      for (const signer of vendorSigners) next.sign(signer.sign)
      top.verifyDelegate(roleName, next)
      await this.writeRole(roleName, next)
      await this.publishSnapshotWith(new Map([[`${roleName}.json`, next.signed.version]]), now)
    })
  }

  /**
   * Re-signs what the online keys sign before it expires: top-level targets, snapshot, timestamp,
   * each within its refresh margin (a new targets version needs a new snapshot and timestamp).
   */
  refreshIfNearExpiry(now: number): Promise<RefreshOutcome> {
    return this.serialised(async () => {
      const targets = await this.loadTargets('targets')
      if (Date.parse(targets.signed.expires) - now < this.lifetimes.targetsRefreshMs) {
        await this.publishTargets(targets, now)
        return { targets: true, snapshot: true, timestamp: true }
      }
      const snapshot = await this.loadSnapshot()
      if (Date.parse(snapshot.signed.expires) - now < this.lifetimes.snapshotRefreshMs) {
        await this.publishSnapshotWith(new Map(), now)
        return { targets: false, snapshot: true, timestamp: true }
      }
      const timestamp = await this.loadTimestamp()
      if (Date.parse(timestamp.signed.expires) - now < this.lifetimes.timestampRefreshMs) {
        await this.publishTimestamp(timestamp.signed.snapshotMeta, timestamp.signed.version, now)
        return { targets: false, snapshot: false, timestamp: true }
      }
      return { targets: false, snapshot: false, timestamp: false }
    })
  }

  /**
   * The next top-level targets version after `top` (its targets, or `targets` instead; delegations
   * kept), with a new expiry, signed with the online targets key and published with a new snapshot.
   */
  private async publishTargets(
    top: Metadata<Targets>,
    now: number,
    targets: Record<string, TargetFile> = top.signed.targets,
  ): Promise<void> {
    const next = new Metadata(
      new Targets({
        ...top.signed,
        targets,
        version: this.nextVersion(top.signed.version),
        expires: tufExpires(now + this.lifetimes.targetsMs),
      }),
    )
    next.sign(this.signers.targets.sign)
    await this.writeRole('targets', next)
    await this.publishSnapshotWith(new Map([['targets.json', next.signed.version]]), now)
  }

  /**
   * The vendor role's next targets metadata, unsigned: the current targets plus `target` (replacing a
   * target of the same path). The vendor signs its `signed` part locally (`signVendorMetadata`) and
   * hands the signatures to `publishVendorMetadata`; the blob itself stays with the caller until then.
   */
  vendorSigningRequest(
    publisher: Publisher | string,
    target: VendorTargetInput,
    now: number,
  ): Promise<VendorSigningRequest> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      checkTargetPath(target.path)
      const roleName = publisherRoleName(p)
      await this.delegatedRole(p, target.path)
      const current = await this.loadTargetsOrEmpty(roleName, now)
      const next = new Targets({
        version: this.nextVersion(current.signed.version),
        specVersion: TUF_SPEC_VERSION,
        expires: tufExpires(now + this.lifetimes.vendorMs),
        targets: { ...current.signed.targets, [target.path]: targetFileOf(target) },
      })
      return { role: roleName, version: next.version, signed: next.toJSON() }
    })
  }

  /**
   * Publishes a vendor role signed on the vendor's machine, then snapshot and timestamp. Refused
   * unless: its signatures meet the delegation's threshold, its version is the current one + 1, every
   * path lies inside the vendor's paths, `target` is in it with exactly the uploaded length and hash,
   * and every other target is one the role already listed (nothing the server has no blob for).
   */
  publishVendorMetadata(
    publisher: Publisher | string,
    metadataJson: unknown,
    target: VendorTargetInput,
    bytes: Uint8Array,
    now: number,
  ): Promise<{ role: string; version: number }> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      const { roleName, metadata } = await this.checkVendorDocument(p, metadataJson, now, target.path)
      const added = metadata.signed.targets[target.path]
      if (added === undefined) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.invalidInput,
          `the signed metadata does not list ${target.path}`,
        )
      }
      const sha256 = sha256Hex(bytes)
      if (
        added.length !== target.length ||
        added.hashes.sha256 !== target.sha256 ||
        bytes.byteLength !== target.length ||
        sha256 !== target.sha256
      ) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.invalidInput,
          `the signed ${target.path} does not match the uploaded file (length and sha256)`,
        )
      }
      await this.store.writeTarget(hashPrefixedTargetPath(target.path, sha256), bytes)
      await this.writeRole(roleName, metadata)
      await this.publishSnapshotWith(new Map([[`${roleName}.json`, metadata.signed.version]]), now)
      return { role: roleName, version: metadata.signed.version }
    })
  }

  /**
   * The vendor role's next version with the targets it lists less `drop`, and a new expiry, unsigned:
   * what the vendor re-signs to renew its role before it expires, or to take revoked files out (only
   * its own keys can). Nothing is added.
   */
  vendorResignRequest(
    publisher: Publisher | string,
    drop: readonly string[],
    now: number,
  ): Promise<VendorSigningRequest & { dropped: string[] }> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      const roleName = publisherRoleName(p)
      await this.vendorDelegation(p)
      const current = await this.loadTargetsOrEmpty(roleName, now)
      const dropped = drop.filter((path) => current.signed.targets[path] !== undefined)
      const next = new Targets({
        version: this.nextVersion(current.signed.version),
        specVersion: TUF_SPEC_VERSION,
        expires: tufExpires(now + this.lifetimes.vendorMs),
        targets: Object.fromEntries(Object.entries(current.signed.targets).filter(([path]) => !dropped.includes(path))),
      })
      return { role: roleName, version: next.version, signed: next.toJSON(), dropped }
    })
  }

  /** Publishes a re-signed vendor role (see `vendorResignRequest`); returns the paths it no longer lists. */
  publishVendorResign(
    publisher: Publisher | string,
    metadataJson: unknown,
    now: number,
  ): Promise<{ role: string; version: number; expires: string; dropped: string[] }> {
    const p = asPublisher(publisher)
    return this.serialised(async () => {
      const { roleName, metadata, current } = await this.checkVendorDocument(p, metadataJson, now)
      await this.writeRole(roleName, metadata)
      await this.publishSnapshotWith(new Map([[`${roleName}.json`, metadata.signed.version]]), now)
      const dropped = Object.keys(current.signed.targets).filter((path) => metadata.signed.targets[path] === undefined)
      return { role: roleName, version: metadata.signed.version, expires: metadata.signed.expires, dropped }
    })
  }

  /**
   * The checks every vendor-signed document passes: the delegation's threshold of the vendor's keys,
   * the next version, not expired, only the vendor's paths, and every target other than `adding`
   * exactly as the role already lists it.
   */
  private async checkVendorDocument(publisher: Publisher, metadataJson: unknown, now: number, adding?: string) {
    const roleName = publisherRoleName(publisher)
    const { top, role } = await this.vendorDelegation(publisher)
    let metadata: Metadata<Targets>
    try {
      metadata = Metadata.fromJSON(MetadataKind.Targets, metadataJson as never)
    } catch (error) {
      throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `not targets metadata: ${errorText(error)}`)
    }
    try {
      top.verifyDelegate(roleName, metadata)
    } catch {
      throw new UpdateRepositoryError(
        UpdateErrorCodes.keyNotDelegated,
        `the signatures do not meet ${roleName}'s threshold of ${role.threshold} of its delegated keys`,
      )
    }
    const current = await this.loadTargetsOrEmpty(roleName, now)
    const expected = this.nextVersion(current.signed.version)
    if (metadata.signed.version !== expected) {
      throw new UpdateRepositoryError(
        UpdateErrorCodes.versionConflict,
        `${roleName} is at version ${current.signed.version}; signed metadata must be version ${expected} (ask for a new signing request)`,
      )
    }
    if (Date.parse(metadata.signed.expires) <= now) {
      throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `${roleName} metadata is already expired`)
    }
    for (const [path, file] of Object.entries(metadata.signed.targets)) {
      if (!role.isDelegatedPath(path)) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.pathOutsideVendor,
          `${path} is outside ${describe(publisher)}'s paths`,
        )
      }
      if (path === adding) continue
      const before = current.signed.targets[path]
      if (before === undefined || !before.equals(file)) {
        throw new UpdateRepositoryError(
          UpdateErrorCodes.invalidInput,
          `${path} is not a target ${roleName} already lists; add one artifact at a time`,
        )
      }
    }
    return { roleName, metadata, current }
  }

  /**
   * Raises the version every later publication takes at least (targets, snapshot, timestamp, and the
   * vendor roles' next signing requests). Set after a restore from backup, from `tuf_restores`.
   */
  raiseVersionFloor(floor: number): void {
    this.versionFloor = Math.max(this.versionFloor, floor)
  }

  /**
   * Re-signs targets, snapshot and timestamp with versions at or above the floor (after a restore),
   * so a kiosk that trusted newer metadata than the backup held accepts the repository again.
   * Vendor roles keep their versions until each vendor re-signs (`vendorResignRequest`).
   */
  republishAboveFloor(now: number): Promise<{ targets: number; snapshot: number; timestamp: number }> {
    return this.serialised(async () => {
      await this.publishTargets(await this.loadTargets('targets'), now)
      const { targets, snapshot, timestamp } = await this.readVersions()
      return { targets, snapshot, timestamp }
    })
  }

  /** Current versions, for status pages and tests. */
  versions(): Promise<{ root: number; targets: number; snapshot: number; timestamp: number }> {
    return this.serialised(() => this.readVersions())
  }

  private async readVersions(): Promise<{ root: number; targets: number; snapshot: number; timestamp: number }> {
    const root = parseRoot(await this.readRequired('root.json'))
    const targets = await this.loadTargets('targets')
    const snapshot = await this.loadSnapshot()
    const timestamp = await this.loadTimestamp()
    return {
      root: root.signed.version,
      targets: targets.signed.version,
      snapshot: snapshot.signed.version,
      timestamp: timestamp.signed.version,
    }
  }

  timestampExpires(): Promise<string> {
    return this.serialised(async () => (await this.loadTimestamp()).signed.expires)
  }

  private async vendorDelegation(publisher: Publisher) {
    const top = await this.loadTargets('targets')
    const role = top.signed.delegations?.roles?.[publisherRoleName(publisher)]
    if (role === undefined) {
      throw new UpdateRepositoryError(UpdateErrorCodes.unknownVendor, `no delegated role for ${describe(publisher)}`)
    }
    return { top, role }
  }

  private async delegatedRole(publisher: Publisher, path: string) {
    const { top, role } = await this.vendorDelegation(publisher)
    if (!role.isDelegatedPath(path)) {
      throw new UpdateRepositoryError(
        UpdateErrorCodes.pathOutsideVendor,
        `${path} is outside ${describe(publisher)}'s paths (${(role.paths ?? []).join(', ')})`,
      )
    }
    return { top, role }
  }

  /**
   * One change at a time: in this process by a queue, across replicas by the store's `exclusive`
   * (a PostgreSQL advisory lock and one transaction), so a change is published whole or not at all.
   */
  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const exclusive = this.baseStore.exclusive?.bind(this.baseStore)
    const locked = async (): Promise<T> => {
      if (exclusive === undefined) return task()
      return exclusive(async (view) => {
        this.active = view
        try {
          return await task()
        } finally {
          this.active = undefined
        }
      })
    }
    const run = this.queue.then(locked, locked)
    this.queue = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /** The version after `current`: one more, or the restore floor when that is higher. */
  private nextVersion(current: number): number {
    return Math.max(current + 1, this.versionFloor)
  }

  private async storeBlob(path: string, bytes: Uint8Array, custom?: Record<string, unknown>): Promise<TargetFile> {
    const sha256 = sha256Hex(bytes)
    await this.store.writeTarget(hashPrefixedTargetPath(path, sha256), bytes)
    return new TargetFile({
      path,
      length: bytes.byteLength,
      hashes: { sha256 },
      ...(custom === undefined ? {} : { unrecognizedFields: customFields(custom) }),
    })
  }

  private async writeRole(roleName: string, metadata: Metadata<Targets>): Promise<void> {
    const text = serialize(metadata)
    await this.store.writeMetadata(`${metadata.signed.version}.${roleName}.json`, text)
    await this.store.writeMetadata(`${roleName}.json`, text)
  }

  private async publishSnapshotWith(changed: Map<string, number>, now: number): Promise<void> {
    const current = await this.loadSnapshot()
    const meta = new Map(Object.entries(current.signed.meta).map(([name, file]) => [name, file.version]))
    for (const [name, version] of changed) meta.set(name, version)
    const timestamp = await this.loadTimestamp()
    await this.publishSnapshot(meta, current.signed.version, now, timestamp.signed.version)
  }

  private async publishSnapshot(
    meta: Map<string, number>,
    previousVersion: number,
    now: number,
    previousTimestamp = 0,
  ): Promise<void> {
    const snapshot = new Metadata(
      new Snapshot({
        version: this.nextVersion(previousVersion),
        specVersion: TUF_SPEC_VERSION,
        expires: tufExpires(now + this.lifetimes.snapshotMs),
        meta: Object.fromEntries([...meta].map(([name, version]) => [name, new MetaFile({ version })])),
      }),
    )
    snapshot.sign(this.signers.snapshot.sign)
    const text = serialize(snapshot)
    await this.store.writeMetadata(`${snapshot.signed.version}.snapshot.json`, text)
    await this.store.writeMetadata('snapshot.json', text)
    const snapshotMeta = new MetaFile({
      version: snapshot.signed.version,
      length: Buffer.byteLength(text),
      hashes: { sha256: sha256Hex(text) },
    })
    await this.publishTimestamp(snapshotMeta, previousTimestamp, now)
  }

  private async publishTimestamp(snapshotMeta: MetaFile, previousVersion: number, now: number): Promise<void> {
    const timestamp = new Metadata(
      new Timestamp({
        version: this.nextVersion(previousVersion),
        specVersion: TUF_SPEC_VERSION,
        expires: tufExpires(now + this.lifetimes.timestampMs),
        snapshotMeta,
      }),
    )
    timestamp.sign(this.signers.timestamp.sign)
    await this.store.writeMetadata('timestamp.json', serialize(timestamp))
  }

  private async readRequired(fileName: string): Promise<string> {
    const text = await this.store.readMetadata(fileName)
    if (text === undefined) {
      throw new UpdateRepositoryError(UpdateErrorCodes.repositoryState, `${fileName} missing from the store`)
    }
    return text
  }

  private async loadTargets(roleName: string): Promise<Metadata<Targets>> {
    return Metadata.fromJSON(MetadataKind.Targets, JSON.parse(await this.readRequired(`${roleName}.json`)))
  }

  private async loadTargetsOrEmpty(roleName: string, now: number): Promise<Metadata<Targets>> {
    if ((await this.store.readMetadata(`${roleName}.json`)) !== undefined) return this.loadTargets(roleName)
    const expires = tufExpires(now + this.lifetimes.vendorMs)
    return new Metadata(new Targets({ version: 0, specVersion: TUF_SPEC_VERSION, expires }))
  }

  private async loadSnapshot(): Promise<Metadata<Snapshot>> {
    return Metadata.fromJSON(MetadataKind.Snapshot, JSON.parse(await this.readRequired('snapshot.json')))
  }

  private async loadTimestamp(): Promise<Metadata<Timestamp>> {
    return Metadata.fromJSON(MetadataKind.Timestamp, JSON.parse(await this.readRequired('timestamp.json')))
  }
}

function checkTargetPath(path: string): void {
  if (!TARGET_PATH.test(path) || path.split('/').some((part) => part === '.' || part === '..')) {
    throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `bad target path: ${path}`)
  }
}

/** The version a root JSON text claims (checked properly by `updateRoot`). */
function rootVersionOf(text: string): number {
  try {
    const version = (JSON.parse(text) as { signed?: { version?: unknown } }).signed?.version
    if (typeof version === 'number') return version
  } catch {
    // Reported below.
  }
  throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, 'the root file is not TUF root metadata')
}

function parseRoot(text: string): Metadata<Root> {
  const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(text))
  // The root must be signed by its own threshold of root keys.
  root.verifyDelegate('root', root)
  return root
}

function checkSignersMatchRoot(root: Metadata<Root>, signers: OnlineSigners): void {
  for (const name of ['targets', 'snapshot', 'timestamp'] as const) {
    const role = root.signed.roles[name]
    if (role === undefined || !role.keyIDs.includes(signers[name].keyId)) {
      throw new UpdateRepositoryError(
        UpdateErrorCodes.repositoryState,
        `the ${name} signer's key ${signers[name].keyId} is not in root's ${name} role`,
      )
    }
  }
}

import { Metadata, Root } from '@tufjs/models'
import { createSigner, publicKeyOf, type TufKeyPairJson, type TufPublicKeyJson, toModelKey } from './tuf-keys.ts'
import { DAY_MS, tufExpires } from './tuf-time.ts'
import { UpdateErrorCodes, UpdateRepositoryError } from './update-errors.ts'

export const TUF_SPEC_VERSION = '1.0.31'

export interface RootInput {
  /** Root key pairs; only used here to sign, never stored by the server. */
  rootKeys: TufKeyPairJson[]
  threshold: number
  /** Public keys of the online roles (and top-level targets). */
  targets: TufPublicKeyJson[]
  snapshot: TufPublicKeyJson[]
  timestamp: TufPublicKeyJson[]
  version?: number
  now: number
  lifetimeMs?: number
}

type RoleKeys = Omit<RootInput, 'rootKeys'> & { rootKeys: TufPublicKeyJson[] }

/** Unsigned root metadata (consistent snapshots on) for the given public keys. */
function unsignedRoot(input: RoleKeys): Metadata<Root> {
  if (!Number.isInteger(input.threshold) || input.threshold < 1 || input.threshold > input.rootKeys.length) {
    throw new UpdateRepositoryError(
      UpdateErrorCodes.invalidInput,
      `root threshold ${input.threshold} must be between 1 and the ${input.rootKeys.length} root keys`,
    )
  }
  const keys: Record<string, TufPublicKeyJson> = {}
  const roles: Record<string, { keyids: string[]; threshold: number }> = {}
  const roleKeys: Array<[string, TufPublicKeyJson[], number]> = [
    ['root', input.rootKeys, input.threshold],
    ['targets', input.targets, 1],
    ['snapshot', input.snapshot, 1],
    ['timestamp', input.timestamp, 1],
  ]
  for (const [name, list, threshold] of roleKeys) {
    if (list.length === 0) throw new UpdateRepositoryError(UpdateErrorCodes.invalidInput, `no keys for ${name}`)
    const keyids = list.map((key) => toModelKey(key).keyID)
    for (const [i, key] of list.entries()) keys[keyids[i] ?? ''] = key
    roles[name] = { keyids: [...new Set(keyids)], threshold }
  }
  // @tufjs/models exports no Role class, so the signed part is built from its JSON form.
  const root = Root.fromJSON({
    _type: 'root',
    spec_version: TUF_SPEC_VERSION,
    version: input.version ?? 1,
    expires: tufExpires(input.now + (input.lifetimeMs ?? 365 * DAY_MS)),
    consistent_snapshot: true,
    keys: Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, { ...key, keyval: { ...key.keyval } }])),
    roles,
  })
  return new Metadata(root)
}

/** Builds and signs root metadata (consistent snapshots on) with every given root key. */
export function buildRoot(input: RootInput): Metadata<Root> {
  const metadata = unsignedRoot({ ...input, rootKeys: input.rootKeys.map(publicKeyOf) })
  for (const pair of input.rootKeys) metadata.sign(createSigner(pair).sign)
  return metadata
}

export interface NextRootInput {
  /** The root the fleet and its kiosks trust now. */
  current: Metadata<Root>
  /** Root key pairs that sign: enough of the current root's keys, and enough of the new ones. */
  signWith: TufKeyPairJson[]
  /** The new root keys (public); default: the current ones (a renewal). */
  rootKeys?: TufPublicKeyJson[]
  threshold?: number
  /** New online keys; default: the current ones. */
  online?: { targets: TufPublicKeyJson; snapshot: TufPublicKeyJson; timestamp: TufPublicKeyJson }
  now: number
  lifetimeMs?: number
}

/** The public keys a role of `root` lists. */
export function roleKeysOf(root: Root, role: string): TufPublicKeyJson[] {
  return (root.roles[role]?.keyIDs ?? []).flatMap((id) => {
    const key = root.keys[id]
    return key === undefined ? [] : [key.toJSON() as unknown as TufPublicKeyJson]
  })
}

/**
 * The next root version (renewed expiry, and rotated root or online keys if given), signed offline.
 * TUF clients accept it only when it carries the threshold of the current root's keys and of its
 * own, so both are checked here before anything is written.
 */
export function signNextRoot(input: NextRootInput): Metadata<Root> {
  const current = input.current.signed
  const next = unsignedRoot({
    rootKeys: input.rootKeys ?? roleKeysOf(current, 'root'),
    threshold: input.threshold ?? current.roles.root?.threshold ?? 1,
    targets: input.online ? [input.online.targets] : roleKeysOf(current, 'targets'),
    snapshot: input.online ? [input.online.snapshot] : roleKeysOf(current, 'snapshot'),
    timestamp: input.online ? [input.online.timestamp] : roleKeysOf(current, 'timestamp'),
    version: current.version + 1,
    now: input.now,
    ...(input.lifetimeMs === undefined ? {} : { lifetimeMs: input.lifetimeMs }),
  })
  const known = new Set([...(current.roles.root?.keyIDs ?? []), ...(next.signed.roles.root?.keyIDs ?? [])])
  for (const pair of input.signWith) {
    const signer = createSigner(pair)
    if (!known.has(signer.keyId)) {
      throw new UpdateRepositoryError(
        UpdateErrorCodes.invalidInput,
        `key ${signer.keyId} is neither a current nor a new root key`,
      )
    }
    next.sign(signer.sign)
  }
  const short = rootChainFailure(input.current, next)
  if (short !== undefined) {
    const by = short === 'current' ? input.current : next
    throw new UpdateRepositoryError(
      UpdateErrorCodes.invalidInput,
      `root version ${next.signed.version} needs ${by.signed.roles.root?.threshold} signatures of the ${short} root's keys`,
    )
  }
  return next
}

/**
 * Which root's threshold of signatures `next` lacks, if any: a TUF client accepts the next root only
 * when both the root it trusts and `next` itself verify it.
 */
export function rootChainFailure(current: Metadata<Root>, next: Metadata<Root>): 'current' | 'new' | undefined {
  for (const [who, by] of [
    ['current', current],
    ['new', next],
  ] as const) {
    try {
      by.verifyDelegate('root', next)
    } catch {
      return who
    }
  }
  return undefined
}

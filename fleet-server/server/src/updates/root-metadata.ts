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

/** Builds and signs root metadata (consistent snapshots on) with every given root key. */
export function buildRoot(input: RootInput): Metadata<Root> {
  if (!Number.isInteger(input.threshold) || input.threshold < 1 || input.threshold > input.rootKeys.length) {
    throw new UpdateRepositoryError(
      UpdateErrorCodes.invalidInput,
      `root threshold ${input.threshold} must be between 1 and the ${input.rootKeys.length} root keys`,
    )
  }
  const keys: Record<string, TufPublicKeyJson> = {}
  const roles: Record<string, { keyids: string[]; threshold: number }> = {}
  const roleKeys: Array<[string, TufPublicKeyJson[], number]> = [
    ['root', input.rootKeys.map(publicKeyOf), input.threshold],
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
  const metadata = new Metadata(root)
  for (const pair of input.rootKeys) metadata.sign(createSigner(pair).sign)
  return metadata
}

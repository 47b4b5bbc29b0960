import { buildRoot } from './root-metadata.ts'
import { createSigner, generateTufKeyPair, publicKeyOf, type TufKeyPairJson } from './tuf-keys.ts'
import type { OnlineSigners } from './tuf-repository.ts'

/** Fresh root (2-of-3) and online keys for tests; the root key pairs are returned, never stored. */
export function testKeys(now: number): {
  rootKeys: TufKeyPairJson[]
  online: { targets: TufKeyPairJson; snapshot: TufKeyPairJson; timestamp: TufKeyPairJson }
  signers: OnlineSigners
  rootJson: string
} {
  const rootKeys = [generateTufKeyPair(), generateTufKeyPair(), generateTufKeyPair()]
  const online = { targets: generateTufKeyPair(), snapshot: generateTufKeyPair(), timestamp: generateTufKeyPair() }
  const root = buildRoot({
    rootKeys,
    threshold: 2,
    targets: [publicKeyOf(online.targets)],
    snapshot: [publicKeyOf(online.snapshot)],
    timestamp: [publicKeyOf(online.timestamp)],
    now,
  })
  return {
    rootKeys,
    online,
    signers: {
      targets: createSigner(online.targets),
      snapshot: createSigner(online.snapshot),
      timestamp: createSigner(online.timestamp),
    },
    rootJson: JSON.stringify(root.toJSON()),
  }
}

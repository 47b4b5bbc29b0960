import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { Key, Signature } from '@tufjs/models'

/** A public key in TUF's JSON key format (the value under `keys` in root and delegations). */
export type TufPublicKeyJson = {
  keytype: 'ed25519'
  scheme: 'ed25519'
  keyval: { public: string }
}

/** A key pair in TUF's JSON key format; `keyval.private` is the 32-byte ed25519 seed in hex. */
export interface TufKeyPairJson {
  keyid: string
  keytype: 'ed25519'
  scheme: 'ed25519'
  keyval: { public: string; private: string }
}

/** Signs canonical metadata bytes with one key; what `Metadata.sign` expects. */
export interface TufSigner {
  readonly keyId: string
  sign(data: Buffer): Signature
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const HEX_32 = /^[0-9a-f]{64}$/

/** TUF's key id: the SHA-256 of the canonical JSON of the public key (sorted keys, no spaces). */
export function tufKeyId(publicKeyHex: string): string {
  const canonical = `{"keytype":"ed25519","keyval":{"public":"${publicKeyHex}"},"scheme":"ed25519"}`
  return createHash('sha256').update(canonical).digest('hex')
}

/** A fresh ed25519 key pair from node:crypto. */
export function generateTufKeyPair(): TufKeyPairJson {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length)
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length)
  const publicHex = pub.toString('hex')
  return {
    keyid: tufKeyId(publicHex),
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyval: { public: publicHex, private: seed.toString('hex') },
  }
}

export function publicKeyOf(pair: TufKeyPairJson): TufPublicKeyJson {
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pair.keyval.public } }
}

/** The `@tufjs/models` Key for a public key, with its TUF key id. */
export function toModelKey(key: TufPublicKeyJson): Key {
  if (!HEX_32.test(key.keyval.public)) throw new Error('ed25519 public key must be 32 bytes of hex')
  return new Key({
    keyID: tufKeyId(key.keyval.public),
    keyType: key.keytype,
    scheme: key.scheme,
    keyVal: { public: key.keyval.public },
  })
}

/** A signer for one key pair; the private key never leaves this closure. */
export function createSigner(pair: TufKeyPairJson): TufSigner {
  if (!HEX_32.test(pair.keyval.private) || !HEX_32.test(pair.keyval.public)) {
    throw new Error('ed25519 key pair must hold 32-byte hex public and private values')
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(pair.keyval.private, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  })
  const derivedPublic = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_ED25519_PREFIX.length)
    .toString('hex')
  if (derivedPublic !== pair.keyval.public) throw new Error('ed25519 private key does not match its public key')
  const keyId = tufKeyId(pair.keyval.public)
  return {
    keyId,
    sign: (data) => new Signature({ keyID: keyId, sig: sign(null, data, privateKey).toString('hex') }),
  }
}

export function isTufKeyPairJson(value: unknown): value is TufKeyPairJson {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const keyval = v.keyval as Record<string, unknown> | undefined
  return (
    v.keytype === 'ed25519' &&
    v.scheme === 'ed25519' &&
    typeof v.keyid === 'string' &&
    typeof keyval === 'object' &&
    keyval !== null &&
    typeof keyval.public === 'string' &&
    typeof keyval.private === 'string'
  )
}

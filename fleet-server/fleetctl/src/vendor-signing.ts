import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Key, Metadata, MetadataKind, Signature, type Targets } from '@tufjs/models'
import { EXIT, FleetctlError } from './api-client.ts'

/** A vendor key pair in TUF's JSON key format (what `fleetctl keys generate` writes; 0600). */
export interface VendorKeyPair {
  keyid: string
  keytype: 'ed25519'
  scheme: 'ed25519'
  keyval: { public: string; private: string }
}

/** The public half, as an admin registers it (`fleetctl vendors add --key`). */
export interface VendorPublicKey {
  keytype: 'ed25519'
  scheme: 'ed25519'
  keyval: { public: string }
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const HEX_32 = /^[0-9a-f]{64}$/

/** TUF's key id: SHA-256 of the canonical JSON of the public key. */
export function keyIdOf(publicHex: string): string {
  return createHash('sha256')
    .update(`{"keytype":"ed25519","keyval":{"public":"${publicHex}"},"scheme":"ed25519"}`)
    .digest('hex')
}

export function generateVendorKey(): VendorKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length).toString('hex')
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length)
  return {
    keyid: keyIdOf(pub),
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyval: { public: pub, private: seed.toString('hex') },
  }
}

export function publicKeyOf(pair: VendorKeyPair): VendorPublicKey {
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pair.keyval.public } }
}

/** Reads and checks a key file; a bad file is a usage error naming the file, never a stack trace. */
export function readVendorKey(path: string): VendorKeyPair {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new FleetctlError(`cannot read key file ${path}: ${(err as Error).message}`, EXIT.usage)
  }
  const v = value as Partial<VendorKeyPair> | null
  if (
    v?.keytype !== 'ed25519' ||
    v.scheme !== 'ed25519' ||
    !HEX_32.test(String(v.keyval?.public)) ||
    !HEX_32.test(String(v.keyval?.private))
  ) {
    throw new FleetctlError(
      `${path} is not an ed25519 TUF key pair (keytype, scheme, keyval.public, keyval.private)`,
      EXIT.usage,
    )
  }
  const pair = v as VendorKeyPair
  const derived = createPublicKey(privateKeyOf(pair))
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_ED25519_PREFIX.length)
    .toString('hex')
  if (derived !== pair.keyval.public)
    throw new FleetctlError(`${path}: private key does not match its public key`, EXIT.usage)
  return { ...pair, keyid: keyIdOf(pair.keyval.public) }
}

function privateKeyOf(pair: VendorKeyPair) {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(pair.keyval.private, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  })
}

/** What the vendor expects to sign: the target it just uploaded, as it hashed it locally. */
export interface ExpectedTarget {
  path: string
  sha256: string
  length: number
}

function targetsOf(metadata: unknown, what: string): Metadata<Targets> {
  try {
    const json = metadata as Parameters<typeof Metadata.fromJSON>[1]
    // A request may carry only `signed`; Metadata wants the envelope.
    return Metadata.fromJSON(
      MetadataKind.Targets,
      'signed' in json ? { signatures: [], ...json } : { signed: json, signatures: [] },
    )
  } catch (err) {
    throw new FleetctlError(`${what} is not TUF targets metadata: ${(err as Error).message}`, EXIT.failed)
  }
}

function signWith(md: Metadata<Targets>, keys: VendorKeyPair[]): { keyid: string; sig: string }[] {
  for (const key of keys) {
    const privateKey = privateKeyOf(key)
    md.sign((data) => new Signature({ keyID: key.keyid, sig: sign(null, data, privateKey).toString('hex') }), true)
  }
  return keys.map((k) => ({ keyid: k.keyid, sig: md.signatures[k.keyid]?.sig ?? '' }))
}

/** Whether `md` carries a valid signature of `key`. */
function signedBy(md: Metadata<Targets>, key: VendorKeyPair): boolean {
  try {
    new Key({
      keyID: key.keyid,
      keyType: 'ed25519',
      scheme: 'ed25519',
      keyVal: { public: key.keyval.public },
    }).verifySignature(md)
    return true
  } catch {
    return false
  }
}

/**
 * Signs a re-sign request for the vendor's role (renewal, revoked files taken out), locally. The
 * request is checked against the role as published, which must carry a valid signature of one of
 * the vendor's own keys: the request must be its next version and list nothing the vendor did not
 * sign before, so a server cannot slip a file in. `published` is undefined when the vendor never
 * published. `afterRestore`: the fleet was restored from a backup and asks for a version above its
 * restore floor (docs/operations.md); any version above the published one is then signed.
 */
export function signVendorResign(
  request: unknown,
  published: unknown,
  keys: VendorKeyPair[],
  options: { afterRestore?: boolean } = {},
): { signatures: { keyid: string; sig: string }[]; version: number; expires: string; dropped: string[] } {
  const md = targetsOf(request, 'the re-sign request')
  const before = published === undefined ? undefined : targetsOf(published, 'the published role')
  if (before !== undefined && !keys.some((k) => signedBy(before, k))) {
    throw new FleetctlError('refusing to sign: the published role carries no valid signature of your keys', EXIT.failed)
  }
  const publishedVersion = before?.signed.version ?? 0
  const next =
    options.afterRestore === true ? md.signed.version > publishedVersion : md.signed.version === publishedVersion + 1
  if (!next) {
    throw new FleetctlError(
      `refusing to sign: the request is version ${md.signed.version}, the published role is version ${publishedVersion}`,
      EXIT.failed,
    )
  }
  for (const [path, file] of Object.entries(md.signed.targets)) {
    const was = before?.signed.targets[path]
    if (was === undefined || !was.equals(file)) {
      throw new FleetctlError(`refusing to sign: the request adds or changes ${path}`, EXIT.failed)
    }
  }
  const dropped = Object.keys(before?.signed.targets ?? {}).filter((path) => md.signed.targets[path] === undefined)
  return { signatures: signWith(md, keys), version: md.signed.version, expires: md.signed.expires, dropped }
}

/**
 * Signs the vendor role's next targets metadata from a signing request, locally. Before signing it
 * checks the metadata really lists the file the vendor hashed (path, length, sha256), so a server
 * cannot get a signature over a different file. Returns `{keyid, sig}` per key.
 */
export function signVendorRequest(
  metadata: unknown,
  keys: VendorKeyPair[],
  expected: ExpectedTarget,
): { keyid: string; sig: string }[] {
  const md = targetsOf(metadata, 'the signing request')
  const file = md.signed.targets[expected.path]
  if (file === undefined) {
    throw new FleetctlError(`refusing to sign: the request does not list ${expected.path}`, EXIT.failed)
  }
  if (file.length !== expected.length || file.hashes.sha256 !== expected.sha256) {
    throw new FleetctlError(
      `refusing to sign: ${expected.path} in the request is ${file.length} bytes sha256 ${file.hashes.sha256}, the local file is ${expected.length} bytes sha256 ${expected.sha256}`,
      EXIT.failed,
    )
  }
  return signWith(md, keys)
}

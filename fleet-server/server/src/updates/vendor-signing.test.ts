import { createHash } from 'node:crypto'
import { Metadata, MetadataKind } from '@tufjs/models'
import { describe, expect, it } from 'vitest'
import { MemoryMetadataStore } from './metadata-store.ts'
import { testKeys } from './test-fixture.ts'
import { generateTufKeyPair, publicKeyOf } from './tuf-keys.ts'
import { TufRepository } from './tuf-repository.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import { signVendorMetadata } from './vendor-signing.ts'

const NOW = Date.parse('2026-11-01T00:00:00Z')
const PATH = 'firmware/acme/acme-r1/fw-2.bin'
const BYTES = new TextEncoder().encode('acme firmware 2')
const target = {
  path: PATH,
  length: BYTES.byteLength,
  sha256: createHash('sha256').update(BYTES).digest('hex'),
  custom: { kind: 'firmware', version: '2' },
}

async function setup() {
  const keys = testKeys(NOW)
  const store = new MemoryMetadataStore()
  const repo = await TufRepository.initialize(store, keys.rootJson, keys.signers, NOW)
  const acme = [generateTufKeyPair(), generateTufKeyPair()]
  await repo.addVendor('acme', acme.map(publicKeyOf), 2, NOW)
  return { store, repo, acme }
}

describe('vendor signing requests', () => {
  it('publishes metadata signed off-server by the threshold of the vendor keys', async () => {
    const { store, repo, acme } = await setup()
    const request = await repo.vendorSigningRequest('acme', target, NOW)
    expect(request).toMatchObject({ role: 'vendor-acme', version: 1 })
    const { signatures, metadata } = signVendorMetadata(request.signed, acme)
    expect(signatures).toHaveLength(2)
    expect(metadata.signed).toEqual(request.signed)
    await repo.publishVendorMetadata('acme', { signed: request.signed, signatures }, target, BYTES, NOW)
    const top = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(store.metadata.get('targets.json') ?? ''))
    const role = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(store.metadata.get('1.vendor-acme.json') ?? ''))
    top.verifyDelegate('vendor-acme', role)
    expect(role.signed.targets[PATH]?.custom).toEqual(target.custom)
    expect(store.targets.size).toBe(1)
    const snapshot = JSON.parse(store.metadata.get('snapshot.json') ?? '') as {
      signed: { meta: Record<string, unknown> }
    }
    expect(snapshot.signed.meta['vendor-acme.json']).toEqual({ version: 1 })
  })

  it('refuses below the threshold, stale versions, foreign paths, extra targets and a different file', async () => {
    const { repo, acme } = await setup()
    const request = await repo.vendorSigningRequest('acme', target, NOW)
    const [first, second] = acme
    if (first === undefined || second === undefined) throw new Error('keys')
    const one = signVendorMetadata(request.signed, [first])
    await expect(repo.publishVendorMetadata('acme', one.metadata, target, BYTES, NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.keyNotDelegated,
    })
    const foreign = signVendorMetadata(request.signed, [first, generateTufKeyPair()])
    await expect(repo.publishVendorMetadata('acme', foreign.metadata, target, BYTES, NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.keyNotDelegated,
    })
    const signed = signVendorMetadata(request.signed, acme).metadata
    await expect(
      repo.publishVendorMetadata('acme', signed, target, new TextEncoder().encode('other bytes'), NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.invalidInput })
    const extra = structuredClone(request.signed) as { targets: Record<string, unknown> }
    extra.targets['firmware/acme/acme-r1/other.bin'] = { length: 1, hashes: { sha256: 'a'.repeat(64) } }
    await expect(
      repo.publishVendorMetadata('acme', signVendorMetadata(extra, acme).metadata, target, BYTES, NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.invalidInput })
    const outside = structuredClone(request.signed) as { targets: Record<string, unknown> }
    outside.targets['firmware/bolt/x.bin'] = { length: 1, hashes: { sha256: 'a'.repeat(64) } }
    await expect(
      repo.publishVendorMetadata('acme', signVendorMetadata(outside, acme).metadata, target, BYTES, NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.pathOutsideVendor })
    await repo.publishVendorMetadata('acme', signed, target, BYTES, NOW)
    // The same version again is stale: the vendor must ask for a new signing request.
    await expect(repo.publishVendorMetadata('acme', signed, target, BYTES, NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.versionConflict,
    })
    await expect(
      repo.vendorSigningRequest('acme', { ...target, path: 'firmware/bolt/x.bin' }, NOW),
    ).rejects.toMatchObject({
      code: UpdateErrorCodes.pathOutsideVendor,
    })
    await expect(repo.vendorSigningRequest('nobody', target, NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.unknownVendor,
    })
  })

  it('signVendorMetadata refuses non-targets metadata and no keys', () => {
    expect(() => signVendorMetadata({ _type: 'root' }, [generateTufKeyPair()])).toThrow()
    expect(() => signVendorMetadata({}, [])).toThrow(/at least one key/)
  })
})

import { createHash } from 'node:crypto'
import { Metadata, MetadataKind } from '@tufjs/models'
import { describe, expect, it } from 'vitest'
import { MemoryMetadataStore } from './metadata-store.ts'
import { testKeys } from './test-fixture.ts'
import { createSigner, generateTufKeyPair, publicKeyOf } from './tuf-keys.ts'
import { hashPrefixedTargetPath, TufRepository, vendorRoleName } from './tuf-repository.ts'
import { DAY_MS, HOUR_MS } from './tuf-time.ts'
import { UpdateErrorCodes } from './update-errors.ts'

const NOW = Date.parse('2026-11-01T00:00:00Z')

function read(store: MemoryMetadataStore, name: string): unknown {
  const text = store.metadata.get(name)
  if (text === undefined) throw new Error(`${name} not in store`)
  return JSON.parse(text)
}

async function setup() {
  const keys = testKeys(NOW)
  const store = new MemoryMetadataStore()
  const repo = await TufRepository.initialize(store, keys.rootJson, keys.signers, NOW)
  return { keys, store, repo }
}

function rootOf(store: MemoryMetadataStore) {
  return Metadata.fromJSON(MetadataKind.Root, read(store, 'root.json') as never)
}

describe('TufRepository', () => {
  it('publishes root, targets, snapshot and timestamp at version 1, each verifiable from root', async () => {
    const { store, repo } = await setup()
    expect(await repo.versions()).toEqual({ root: 1, targets: 1, snapshot: 1, timestamp: 1 })
    const root = rootOf(store)
    root.verifyDelegate('root', root)
    root.verifyDelegate('targets', Metadata.fromJSON(MetadataKind.Targets, read(store, '1.targets.json') as never))
    root.verifyDelegate('snapshot', Metadata.fromJSON(MetadataKind.Snapshot, read(store, '1.snapshot.json') as never))
    const ts = Metadata.fromJSON(MetadataKind.Timestamp, read(store, 'timestamp.json') as never)
    root.verifyDelegate('timestamp', ts)
    expect(ts.signed.expires).toBe('2026-11-02T00:00:00Z')
    const snapshotText = store.metadata.get('1.snapshot.json') ?? ''
    expect(ts.signed.snapshotMeta.hashes?.sha256).toBe(createHash('sha256').update(snapshotText).digest('hex'))
    expect(ts.signed.snapshotMeta.length).toBe(Buffer.byteLength(snapshotText))
  })

  it('keeps no root private key in the store', async () => {
    const { keys, store } = await setup()
    const everything = [...store.metadata.values()].join('\n')
    for (const pair of keys.rootKeys) expect(everything).not.toContain(pair.keyval.private)
    expect(everything).not.toContain('"private"')
  })

  it('refuses online signers that root does not list', async () => {
    const keys = testKeys(NOW)
    const other = createSigner(generateTufKeyPair())
    await expect(
      TufRepository.initialize(new MemoryMetadataStore(), keys.rootJson, { ...keys.signers, timestamp: other }, NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.repositoryState })
  })

  it('adds a top-level target with sha256 and length and bumps targets, snapshot and timestamp', async () => {
    const { store, repo } = await setup()
    const bytes = new TextEncoder().encode('kiosk app 1.2.0')
    await repo.addTarget('app/kiosk-app-1.2.0.tar', bytes, NOW, { minAppVersion: '1.0.0' })
    expect(await repo.versions()).toEqual({ root: 1, targets: 2, snapshot: 2, timestamp: 2 })
    const targets = Metadata.fromJSON(MetadataKind.Targets, read(store, '2.targets.json') as never)
    const file = targets.signed.targets['app/kiosk-app-1.2.0.tar']
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    expect(file?.length).toBe(bytes.byteLength)
    expect(file?.hashes).toEqual({ sha256 })
    expect(file?.custom).toEqual({ minAppVersion: '1.0.0' })
    expect(store.targets.get(hashPrefixedTargetPath('app/kiosk-app-1.2.0.tar', sha256))).toEqual(bytes)
    const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, read(store, '2.snapshot.json') as never)
    expect(snapshot.signed.meta['targets.json']?.version).toBe(2)
  })

  it('delegates each vendor only its own firmware/ and config/ paths, terminating', async () => {
    const { store, repo } = await setup()
    const acme = generateTufKeyPair()
    await repo.addVendor('acme', [publicKeyOf(acme)], 1, NOW)
    const targets = Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never)
    const role = targets.signed.delegations?.roles?.[vendorRoleName('acme')]
    expect(role?.terminating).toBe(true)
    expect(role?.isDelegatedPath('firmware/acme/r1/fw-2.1.bin')).toBe(true)
    expect(role?.isDelegatedPath('config/acme/r1/settings.json')).toBe(true)
    expect(role?.isDelegatedPath('firmware/bolt/r1/fw-2.1.bin')).toBe(false)
    expect(role?.isDelegatedPath('app/kiosk-app.tar')).toBe(false)
  })

  it('signs a vendor target with the vendor key, and the delegation verifies it', async () => {
    const { store, repo } = await setup()
    const acme = generateTufKeyPair()
    await repo.addVendor('acme', [publicKeyOf(acme)], 1, NOW)
    await repo.addVendorTarget('acme', 'firmware/acme/r1/fw.bin', new Uint8Array([1, 2, 3]), [createSigner(acme)], NOW)
    const top = Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never)
    const vendor = Metadata.fromJSON(MetadataKind.Targets, read(store, '1.vendor-acme.json') as never)
    top.verifyDelegate('vendor-acme', vendor)
    expect(vendor.signed.targets['firmware/acme/r1/fw.bin']?.length).toBe(3)
    const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, read(store, 'snapshot.json') as never)
    expect(snapshot.signed.meta['vendor-acme.json']?.version).toBe(1)
  })

  it('refuses a vendor path outside its prefix and another vendor key', async () => {
    const { repo } = await setup()
    const acme = generateTufKeyPair()
    const bolt = generateTufKeyPair()
    await repo.addVendor('acme', [publicKeyOf(acme)], 1, NOW)
    await repo.addVendor('bolt', [publicKeyOf(bolt)], 1, NOW)
    const bytes = new Uint8Array([9])
    await expect(
      repo.addVendorTarget('bolt', 'firmware/acme/r1/fw.bin', bytes, [createSigner(bolt)], NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.pathOutsideVendor })
    await expect(
      repo.addVendorTarget('acme', 'firmware/acme/r1/fw.bin', bytes, [createSigner(bolt)], NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.keyNotDelegated })
    await expect(repo.addTarget('firmware/acme/r1/fw.bin', bytes, NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.invalidInput,
    })
    await expect(repo.addVendorTarget('nobody', 'firmware/nobody/x.bin', bytes, [], NOW)).rejects.toMatchObject({
      code: UpdateErrorCodes.unknownVendor,
    })
  })

  it('rotates a vendor key: the old key is dropped and can no longer sign', async () => {
    const { store, repo } = await setup()
    const oldKey = generateTufKeyPair()
    const newKey = generateTufKeyPair()
    await repo.addVendor('acme', [publicKeyOf(oldKey)], 1, NOW)
    await repo.addVendor('acme', [publicKeyOf(newKey)], 1, NOW)
    const top = Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never)
    expect(Object.keys(top.signed.delegations?.keys ?? {})).toEqual([createSigner(newKey).keyId])
    await expect(
      repo.addVendorTarget('acme', 'firmware/acme/x.bin', new Uint8Array([1]), [createSigner(oldKey)], NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.keyNotDelegated })
    await repo.addVendorTarget('acme', 'firmware/acme/x.bin', new Uint8Array([1]), [createSigner(newKey)], NOW)
  })

  it('re-signs the timestamp, and the snapshot, only when near expiry', async () => {
    const { repo } = await setup()
    expect(await repo.refreshIfNearExpiry(NOW + HOUR_MS)).toEqual({ snapshot: false, timestamp: false })
    expect(await repo.versions()).toMatchObject({ snapshot: 1, timestamp: 1 })
    expect(await repo.refreshIfNearExpiry(NOW + 13 * HOUR_MS)).toEqual({ snapshot: false, timestamp: true })
    expect(await repo.versions()).toMatchObject({ snapshot: 1, timestamp: 2 })
    expect(await repo.timestampExpires()).toBe('2026-11-02T13:00:00Z')
    expect(await repo.refreshIfNearExpiry(NOW + 5 * DAY_MS)).toEqual({ snapshot: true, timestamp: true })
    expect(await repo.versions()).toMatchObject({ snapshot: 2, timestamp: 3 })
  })

  it('reopens from the store and carries on the versions', async () => {
    const { keys, store, repo } = await setup()
    await repo.addTarget('app/a.tar', new Uint8Array([1]), NOW)
    const reopened = await TufRepository.open(store, keys.signers)
    await reopened.addTarget('app/b.tar', new Uint8Array([2]), NOW)
    expect(await reopened.versions()).toEqual({ root: 1, targets: 3, snapshot: 3, timestamp: 3 })
    const targets = Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never)
    expect(Object.keys(targets.signed.targets).sort()).toEqual(['app/a.tar', 'app/b.tar'])
  })
})

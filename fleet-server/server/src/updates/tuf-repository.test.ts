import { createHash } from 'node:crypto'
import { Metadata, MetadataKind } from '@tufjs/models'
import { describe, expect, it } from 'vitest'
import { MemoryMetadataStore } from './metadata-store.ts'
import { signNextRoot } from './root-metadata.ts'
import { testKeys } from './test-fixture.ts'
import { createSigner, generateTufKeyPair, publicKeyOf } from './tuf-keys.ts'
import { departmentPublisher, hashPrefixedTargetPath, TufRepository, vendorRoleName } from './tuf-repository.ts'
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

  it("re-signs a vendor role with the vendor's key: renewed, a file taken out, nothing added", async () => {
    const { store, repo } = await setup()
    const acme = generateTufKeyPair()
    await repo.addVendor('acme', [publicKeyOf(acme)], 1, NOW)
    for (const name of ['fw-1.bin', 'fw-2.bin']) {
      await repo.addVendorTarget('acme', `firmware/acme/r1/${name}`, new Uint8Array([1]), [createSigner(acme)], NOW)
    }
    const later = NOW + 300 * DAY_MS
    const signedBy = (signed: Record<string, unknown>, pair = acme) => {
      const md = Metadata.fromJSON(MetadataKind.Targets, { signed, signatures: [] } as never)
      md.sign(createSigner(pair).sign)
      return md.toJSON()
    }
    const request = await repo.vendorResignRequest(
      'acme',
      ['firmware/acme/r1/fw-1.bin', 'firmware/acme/r9/none.bin'],
      later,
    )
    expect(request).toMatchObject({ role: 'vendor-acme', version: 3, dropped: ['firmware/acme/r1/fw-1.bin'] })
    // Another key, or a document that adds a file, is refused.
    await expect(
      repo.publishVendorResign('acme', signedBy(request.signed, generateTufKeyPair()), later),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.keyNotDelegated })
    const withExtra = structuredClone((read(store, 'vendor-acme.json') as { signed: Record<string, unknown> }).signed)
    ;(withExtra.targets as Record<string, unknown>)['firmware/acme/r1/new.bin'] = {
      length: 1,
      hashes: { sha256: '0'.repeat(64) },
    }
    withExtra.version = 3
    await expect(repo.publishVendorResign('acme', signedBy(withExtra), later)).rejects.toMatchObject({
      code: UpdateErrorCodes.invalidInput,
    })
    const published = await repo.publishVendorResign('acme', signedBy(request.signed), later)
    expect(published).toMatchObject({
      version: 3,
      dropped: ['firmware/acme/r1/fw-1.bin'],
      expires: '2028-08-27T00:00:00Z',
    })
    expect(await repo.vendorRoleExpiries()).toEqual({ acme: '2028-08-27T00:00:00Z' })
    const role = Metadata.fromJSON(MetadataKind.Targets, read(store, 'vendor-acme.json') as never)
    expect(Object.keys(role.signed.targets)).toEqual(['firmware/acme/r1/fw-2.bin'])
  })

  it("delegates a department only its catalogue/<id>/ bundles, signed with the department's own key", async () => {
    const { store, repo } = await setup()
    const tax = departmentPublisher('tax')
    const taxKey = generateTufKeyPair()
    const acme = generateTufKeyPair()
    await repo.addVendor(tax, [publicKeyOf(taxKey)], 1, NOW)
    await repo.addVendor('acme', [publicKeyOf(acme)], 1, NOW)
    const roles = (
      read(store, 'targets.json') as { signed: { delegations: { roles: { name: string; paths: string[] }[] } } }
    ).signed.delegations.roles
    expect(roles.find((r) => r.name === 'department-tax')?.paths).toEqual(['catalogue/tax/*'])
    const bytes = new TextEncoder().encode('{"format":"kiosk-catalogue-bundle/1"}')
    await repo.addVendorTarget(tax, 'catalogue/tax/tax-2026.12.json', bytes, [createSigner(taxKey)], NOW, {
      kind: 'catalogue',
      department: 'tax',
    })
    const top = Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never)
    top.verifyDelegate(
      'department-tax',
      Metadata.fromJSON(MetadataKind.Targets, read(store, '1.department-tax.json') as never),
    )
    // Neither another department's bundle nor firmware for the department; no vendor signs a catalogue.
    for (const path of ['catalogue/hrss/x.json', 'firmware/tax/m/fw.bin']) {
      await expect(repo.addVendorTarget(tax, path, bytes, [createSigner(taxKey)], NOW)).rejects.toMatchObject({
        code: UpdateErrorCodes.pathOutsideVendor,
      })
    }
    await expect(
      repo.addVendorTarget('acme', 'catalogue/tax/evil.json', bytes, [createSigner(acme)], NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.pathOutsideVendor })
    await expect(
      repo.addVendorTarget(tax, 'catalogue/tax/other.json', bytes, [createSigner(acme)], NOW),
    ).rejects.toMatchObject({ code: UpdateErrorCodes.keyNotDelegated })
    expect(Object.keys(await repo.vendorRoleExpiries('department'))).toEqual(['tax'])
    expect(Object.keys(await repo.vendorRoleExpiries())).toEqual([])
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

  it('re-signs the timestamp, the snapshot and the top-level targets, each only when near expiry', async () => {
    const { repo } = await setup()
    const none = { targets: false, snapshot: false, timestamp: false }
    expect(await repo.refreshIfNearExpiry(NOW + HOUR_MS)).toEqual(none)
    expect(await repo.versions()).toMatchObject({ snapshot: 1, timestamp: 1 })
    expect(await repo.refreshIfNearExpiry(NOW + 13 * HOUR_MS)).toEqual({ ...none, timestamp: true })
    expect(await repo.versions()).toMatchObject({ snapshot: 1, timestamp: 2 })
    expect(await repo.timestampExpires()).toBe('2026-11-02T13:00:00Z')
    expect(await repo.refreshIfNearExpiry(NOW + 5 * DAY_MS)).toEqual({ ...none, snapshot: true, timestamp: true })
    expect(await repo.versions()).toMatchObject({ targets: 1, snapshot: 2, timestamp: 3 })
    // Targets live a year; 30 days before the end they are re-signed with the online targets key.
    expect(await repo.refreshIfNearExpiry(NOW + 340 * DAY_MS)).toEqual({
      targets: true,
      snapshot: true,
      timestamp: true,
    })
    expect(await repo.versions()).toMatchObject({ targets: 2, snapshot: 3, timestamp: 4 })
  })

  describe('root renewal and rotation', () => {
    const later = NOW + 300 * DAY_MS

    it('publishes a renewed root signed by the threshold of the root keys, and re-signs targets', async () => {
      const { keys, store, repo } = await setup()
      const next = signNextRoot({ current: rootOf(store), signWith: keys.rootKeys.slice(0, 2), now: later })
      expect(await repo.updateRoot(JSON.stringify(next.toJSON()), later)).toBe(2)
      expect(await repo.versions()).toEqual({ root: 2, targets: 2, snapshot: 2, timestamp: 2 })
      expect(store.metadata.get('2.root.json')).toBe(store.metadata.get('root.json'))
      expect(store.metadata.has('1.root.json')).toBe(true)
      expect(await repo.rootExpires()).toBe('2028-08-27T00:00:00Z')
    })

    it('refuses a root short of signatures, out of sequence, already expired, or naming other online keys', async () => {
      const { keys, store, repo } = await setup()
      const codeOf = (json: unknown, now = later) =>
        repo.updateRoot(JSON.stringify(json), now).then(
          () => 'published',
          (err: { code?: string; message?: string }) => `${err.code}: ${err.message}`,
        )
      expect(() => signNextRoot({ current: rootOf(store), signWith: keys.rootKeys.slice(0, 1), now: later })).toThrow(
        /needs 2 signatures of the current root's keys/,
      )
      const good = signNextRoot({ current: rootOf(store), signWith: keys.rootKeys.slice(0, 2), now: later }).toJSON()
      const oneSignature = { ...good, signatures: (good.signatures as unknown[]).slice(0, 1) }
      expect(await codeOf(oneSignature)).toMatch(/^ERR_FLEET_UPDATE_INVALID: .*threshold of signatures of the current/)
      const skipped = signNextRoot({ current: rootOf(store), signWith: keys.rootKeys, now: later })
      ;(skipped.signed as { version: number }).version = 3
      expect(await codeOf(skipped.toJSON())).toMatch(/does not follow the published version 1/)
      expect(await codeOf(good, later + 400 * DAY_MS)).toMatch(/has expired/)
      const otherOnline = generateTufKeyPair()
      const rotated = signNextRoot({
        current: rootOf(store),
        signWith: keys.rootKeys.slice(0, 2),
        online: {
          targets: publicKeyOf(otherOnline),
          snapshot: publicKeyOf(otherOnline),
          timestamp: publicKeyOf(otherOnline),
        },
        now: later,
      })
      expect(await codeOf(rotated.toJSON())).toMatch(/^ERR_FLEET_UPDATE_REPOSITORY_STATE/)
      expect(await codeOf({ signed: { version: 2 } })).toMatch(/^ERR_FLEET_UPDATE_INVALID: not root metadata/)
      expect((await repo.versions()).root).toBe(1)
      expect(await codeOf(good)).toBe('published')
    })

    it('rotates the root keys: the next version needs the new keys, and the old ones no longer count', async () => {
      const { keys, store, repo } = await setup()
      const fresh = [generateTufKeyPair(), generateTufKeyPair(), generateTufKeyPair()]
      const v2 = signNextRoot({
        current: rootOf(store),
        signWith: [...keys.rootKeys.slice(0, 2), ...fresh.slice(0, 2)],
        rootKeys: fresh.map(publicKeyOf),
        threshold: 2,
        now: later,
      })
      await repo.updateRoot(JSON.stringify(v2.toJSON()), later)
      expect(() => signNextRoot({ current: rootOf(store), signWith: keys.rootKeys, now: later })).toThrow(
        /neither a current nor a new root key/,
      )
      const v3 = signNextRoot({ current: rootOf(store), signWith: fresh.slice(1), now: later })
      expect(await repo.updateRoot(JSON.stringify(v3.toJSON()), later)).toBe(3)
    })

    it('opens with a newer root file and new online keys, as a restart after an online key rotation', async () => {
      const { keys, store } = await setup()
      const online = { targets: generateTufKeyPair(), snapshot: generateTufKeyPair(), timestamp: generateTufKeyPair() }
      const next = signNextRoot({
        current: rootOf(store),
        signWith: keys.rootKeys.slice(0, 2),
        online: {
          targets: publicKeyOf(online.targets),
          snapshot: publicKeyOf(online.snapshot),
          timestamp: publicKeyOf(online.timestamp),
        },
        now: later,
      })
      const signers = {
        targets: createSigner(online.targets),
        snapshot: createSigner(online.snapshot),
        timestamp: createSigner(online.timestamp),
      }
      await expect(TufRepository.open(store, signers)).rejects.toMatchObject({ code: UpdateErrorCodes.repositoryState })
      const repo = await TufRepository.open(store, signers, undefined, {
        json: JSON.stringify(next.toJSON()),
        now: later,
      })
      const root = rootOf(store)
      root.verifyDelegate('targets', Metadata.fromJSON(MetadataKind.Targets, read(store, 'targets.json') as never))
      root.verifyDelegate(
        'timestamp',
        Metadata.fromJSON(MetadataKind.Timestamp, read(store, 'timestamp.json') as never),
      )
      // The same file at the next start is already published: nothing changes.
      const again = await TufRepository.open(store, signers, undefined, {
        json: JSON.stringify(next.toJSON()),
        now: later,
      })
      expect(await again.versions()).toEqual(await repo.versions())
    })
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

/**
 * The fleet's TUF repository served over HTTP and verified by the kiosk's tuf-js wrapper: the happy
 * path and the attacks TUF exists for. The attacker in the forged cases holds the online snapshot and
 * timestamp keys (a compromised fleet server) and still cannot get a kiosk to accept the payload.
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, normalize, sep } from 'node:path'
import { Metadata, MetadataKind, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createSigner,
  DirectoryMetadataStore,
  generateTufKeyPair,
  hashPrefixedTargetPath,
  MemoryMetadataStore,
  publicKeyOf,
  signNextRoot,
  type TufKeyPairJson,
  TufRepository,
  type TufSigner,
} from '../../fleet-server/server/src/updates/index.ts'
import { testKeys } from '../../fleet-server/server/src/updates/test-fixture.ts'
import { TufErrorCodes } from '../../kiosk/agent/src/updates/tuf-errors.ts'
import { TufVerifier } from '../../kiosk/agent/src/updates/tuf-verifier.ts'

const DAY = 86_400_000
const FW_PATH = 'firmware/acme/gh-467/fw-2.1.bin'
const FW_BYTES = new TextEncoder().encode('acme reader firmware 2.1')

interface Fixture {
  dir: string
  store: DirectoryMetadataStore
  repo: TufRepository
  keys: ReturnType<typeof testKeys>
  acme: TufKeyPairJson
  bolt: TufKeyPairJson
  baseUrl: string
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Serves `<dir>/metadata` and `<dir>/targets` as static files; 404 for anything else. */
async function serve(dir: string): Promise<string> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const file = normalize(join(dir, decodeURIComponent(url.pathname)))
    if (!file.startsWith(dir + sep)) {
      res.writeHead(404).end()
      return
    }
    readFile(file).then(
      (data) => res.writeHead(200, { 'content-length': data.byteLength }).end(data),
      () => res.writeHead(404).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return `http://127.0.0.1:${port}`
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function fixture(now = Date.now()): Promise<Fixture> {
  const dir = await tempDir('tuf-repo-')
  const keys = testKeys(now)
  const store = new DirectoryMetadataStore(dir)
  const repo = await TufRepository.initialize(store, keys.rootJson, keys.signers, now)
  const acme = generateTufKeyPair()
  const bolt = generateTufKeyPair()
  await repo.addVendor('acme', [publicKeyOf(acme)], 1, now)
  await repo.addVendor('bolt', [publicKeyOf(bolt)], 1, now)
  await repo.addVendorTarget('acme', FW_PATH, FW_BYTES, [createSigner(acme)], now)
  await repo.addTarget('app/kiosk-app-1.2.0.tar', new TextEncoder().encode('app 1.2.0'), now)
  return { dir, store, repo, keys, acme, bolt, baseUrl: await serve(dir) }
}

/** A kiosk with the shipped root.json and its own trusted-metadata directory. */
async function kiosk(f: Fixture): Promise<TufVerifier> {
  const dir = await tempDir('tuf-kiosk-')
  const trustedRootFile = join(dir, 'shipped-root.json')
  await writeFile(trustedRootFile, f.keys.rootJson)
  return new TufVerifier({
    metadataBaseUrl: `${f.baseUrl}/metadata/`,
    targetBaseUrl: `${f.baseUrl}/targets/`,
    metadataDir: join(dir, 'metadata'),
    targetDir: join(dir, 'targets'),
    trustedRootFile,
  })
}

async function readJson(f: Fixture, name: string): Promise<unknown> {
  return JSON.parse((await f.store.readMetadata(name)) ?? 'null')
}

/**
 * What a compromised server could publish: a targets role (signed by whoever the attacker chooses),
 * then a snapshot and timestamp listing it, signed with the real online keys.
 */
async function publishForged(f: Fixture, roleName: string, targetSigner: TufSigner, files: TargetFile[]) {
  const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, (await readJson(f, 'snapshot.json')) as never)
  const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, (await readJson(f, 'timestamp.json')) as never)
  const roleVersion = (snapshot.signed.meta[`${roleName}.json`]?.version ?? 0) + 1
  const role = new Metadata(
    new Targets({
      version: roleVersion,
      specVersion: '1.0.31',
      expires: new Date(Date.now() + DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      targets: Object.fromEntries(files.map((file) => [file.path, file])),
    }),
  )
  role.sign(targetSigner.sign)
  await f.store.writeMetadata(`${roleVersion}.${roleName}.json`, JSON.stringify(role.toJSON()))
  const meta = { ...snapshot.signed.meta, [`${roleName}.json`]: new MetaFile({ version: roleVersion }) }
  const nextSnapshot = new Metadata(
    new Snapshot({
      version: snapshot.signed.version + 1,
      specVersion: '1.0.31',
      expires: snapshot.signed.expires,
      meta,
    }),
  )
  nextSnapshot.sign(f.keys.signers.snapshot.sign)
  const snapshotText = JSON.stringify(nextSnapshot.toJSON())
  await f.store.writeMetadata(`${nextSnapshot.signed.version}.snapshot.json`, snapshotText)
  await writeTimestamp(f, timestamp.signed.version + 1, nextSnapshot.signed.version, snapshotText)
}

async function writeTimestamp(f: Fixture, version: number, snapshotVersion: number, snapshotText: string) {
  const timestamp = new Metadata(
    new Timestamp({
      version,
      specVersion: '1.0.31',
      expires: new Date(Date.now() + DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      snapshotMeta: new MetaFile({
        version: snapshotVersion,
        length: Buffer.byteLength(snapshotText),
        hashes: { sha256: createHash('sha256').update(snapshotText).digest('hex') },
      }),
    }),
  )
  timestamp.sign(f.keys.signers.timestamp.sign)
  await f.store.writeMetadata('timestamp.json', JSON.stringify(timestamp.toJSON()))
}

function targetFile(path: string, bytes: Uint8Array): TargetFile {
  return new TargetFile({
    path,
    length: bytes.byteLength,
    hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
  })
}

describe('TUF updates: fleet repository → kiosk verifier over HTTP', () => {
  it('downloads and verifies vendor firmware and a kiosk app release', async () => {
    const f = await fixture()
    const verifier = await kiosk(f)
    const fw = await verifier.fetchTarget(FW_PATH)
    if (!fw.ok) throw new Error(`${fw.error.code}: ${fw.error.message}`)
    expect(new Uint8Array(await readFile(fw.value.file))).toEqual(FW_BYTES)
    expect(fw.value.length).toBe(FW_BYTES.byteLength)
    expect(fw.value.timestampExpires).toBe(await f.repo.timestampExpires())
    const app = await verifier.fetchTarget('app/kiosk-app-1.2.0.tar')
    expect(app.ok).toBe(true)
    const missing = await verifier.fetchTarget('app/kiosk-app-9.9.9.tar')
    expect(missing).toMatchObject({ ok: false, error: { code: TufErrorCodes.targetNotFound } })
  })

  it('says target not found, not an internal TypeError, for a registered vendor that never published', async () => {
    const f = await fixture()
    const verifier = await kiosk(f)
    const info = await verifier.targetInfo('firmware/bolt/bc-100/fw-1.0.bin')
    expect(info).toMatchObject({
      ok: false,
      error: {
        code: TufErrorCodes.targetNotFound,
        message: expect.stringContaining('vendor-bolt has published nothing yet'),
      },
    })
    expect(JSON.stringify(info)).not.toContain('Cannot read properties')
    const fetched = await verifier.fetchTarget('firmware/bolt/bc-100/fw-1.0.bin')
    expect(fetched).toMatchObject({ ok: false, error: { code: TufErrorCodes.targetNotFound } })
  })

  it('rejects a tampered target (same length, bytes changed)', async () => {
    const f = await fixture()
    const sha256 = createHash('sha256').update(FW_BYTES).digest('hex')
    const tampered = Uint8Array.from(FW_BYTES)
    tampered[0] = (tampered[0] ?? 0) ^ 0xff
    await writeFile(join(f.dir, 'targets', hashPrefixedTargetPath(FW_PATH, sha256)), tampered)
    const result = await (await kiosk(f)).fetchTarget(FW_PATH)
    expect(result).toMatchObject({ ok: false, error: { code: TufErrorCodes.targetMismatch } })
  })

  it('rejects a rolled-back timestamp once a newer one was trusted', async () => {
    const f = await fixture()
    const old = join(f.dir, 'old-timestamp.json')
    await copyFile(join(f.dir, 'metadata', 'timestamp.json'), old)
    await f.repo.addTarget('app/kiosk-app-1.3.0.tar', new TextEncoder().encode('app 1.3.0'), Date.now())
    const verifier = await kiosk(f)
    expect((await verifier.refresh()).ok).toBe(true)
    await copyFile(old, join(f.dir, 'metadata', 'timestamp.json'))
    const result = await verifier.refresh()
    expect(result).toMatchObject({ ok: false, error: { code: TufErrorCodes.rollback } })
  })

  it('rejects a fresh timestamp that points back at an older snapshot', async () => {
    const f = await fixture()
    const verifier = await kiosk(f)
    expect((await verifier.refresh()).ok).toBe(true)
    const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, (await readJson(f, 'timestamp.json')) as never)
    const olderSnapshot = (await f.store.readMetadata('2.snapshot.json')) ?? ''
    await writeTimestamp(f, timestamp.signed.version + 1, 2, olderSnapshot)
    const result = await verifier.refresh()
    expect(result).toMatchObject({ ok: false, error: { code: TufErrorCodes.rollback } })
  })

  it('rejects mix-and-match: a snapshot from another build signed with the same keys', async () => {
    const now = Date.now()
    const f = await fixture(now)
    const other = new MemoryMetadataStore()
    const otherRepo = await TufRepository.initialize(other, f.keys.rootJson, f.keys.signers, now)
    const snapshotVersion = (await f.repo.versions()).snapshot
    for (let i = 1; i < snapshotVersion; i++) await otherRepo.addTarget(`app/other-${i}.tar`, new Uint8Array([i]), now)
    const foreign = other.metadata.get(`${snapshotVersion}.snapshot.json`)
    expect(foreign).toBeDefined()
    await writeFile(join(f.dir, 'metadata', `${snapshotVersion}.snapshot.json`), foreign ?? '')
    const result = await (await kiosk(f)).fetchTarget(FW_PATH)
    expect(result).toMatchObject({ ok: false, error: { code: TufErrorCodes.metadataMismatch } })
  })

  it('rejects an expired timestamp, and accepts again once the server re-signs it', async () => {
    const now = Date.now()
    const f = await fixture(now - 2 * DAY)
    const verifier = await kiosk(f)
    const result = await verifier.fetchTarget(FW_PATH)
    expect(result).toMatchObject({ ok: false, error: { code: TufErrorCodes.metadataExpired } })
    expect(await f.repo.refreshIfNearExpiry(now)).toEqual({ targets: false, snapshot: false, timestamp: true })
    expect((await verifier.fetchTarget(FW_PATH)).ok).toBe(true)
  })

  it('follows a renewed root and then rotated root and online keys; refuses a root the old keys did not sign', async () => {
    const now = Date.now()
    const f = await fixture(now)
    const verifier = await kiosk(f)
    expect((await verifier.fetchTarget(FW_PATH)).ok).toBe(true)
    const current = () => Metadata.fromJSON(MetadataKind.Root, JSON.parse(f.keys.rootJson))
    // Version 2: renewed with two of the three offline root keys.
    const v2 = signNextRoot({ current: current(), signWith: f.keys.rootKeys.slice(0, 2), now })
    expect(await f.repo.updateRoot(JSON.stringify(v2.toJSON()), now)).toBe(2)
    // Version 3: new root keys and new online keys; the server restarts with the new online keys.
    const newRootKeys = [generateTufKeyPair(), generateTufKeyPair()]
    const online = { targets: generateTufKeyPair(), snapshot: generateTufKeyPair(), timestamp: generateTufKeyPair() }
    const v3 = signNextRoot({
      current: v2,
      signWith: [...f.keys.rootKeys.slice(1, 3), ...newRootKeys],
      rootKeys: newRootKeys.map(publicKeyOf),
      threshold: 2,
      online: {
        targets: publicKeyOf(online.targets),
        snapshot: publicKeyOf(online.snapshot),
        timestamp: publicKeyOf(online.timestamp),
      },
      now,
    })
    const signers = {
      targets: createSigner(online.targets),
      snapshot: createSigner(online.snapshot),
      timestamp: createSigner(online.timestamp),
    }
    // The running server still holds the old online keys: it refuses a root that does not list them.
    await expect(f.repo.updateRoot(JSON.stringify(v3.toJSON()), now)).rejects.toMatchObject({
      code: 'ERR_FLEET_UPDATE_REPOSITORY_STATE',
    })
    const restarted = await TufRepository.open(f.store, signers, undefined, { json: JSON.stringify(v3.toJSON()), now })
    expect((await restarted.versions()).root).toBe(3)
    await restarted.addTarget('app/kiosk-app-1.4.0.tar', new TextEncoder().encode('app 1.4.0'), now)
    // The kiosk shipped with root 1 walks 1 → 2 → 3 and trusts what the new keys signed.
    const app = await verifier.fetchTarget('app/kiosk-app-1.4.0.tar')
    if (!app.ok) throw new Error(`${app.error.code}: ${app.error.message}`)
    expect((await verifier.fetchTarget(FW_PATH)).ok).toBe(true)
    // A root 4 signed only by keys root 3 does not list is not published, and a forged 4.root.json
    // put in place anyway is refused by the kiosk.
    const forgedKeys = [generateTufKeyPair(), generateTufKeyPair()]
    expect(() =>
      signNextRoot({ current: v3, signWith: forgedKeys, rootKeys: forgedKeys.map(publicKeyOf), threshold: 2, now }),
    ).toThrow(/needs 2 signatures of the current root's keys/)
    const forged = new Metadata(Root.fromJSON({ ...(v3.signed.toJSON() as object), version: 4 } as never))
    for (const pair of forgedKeys) forged.sign(createSigner(pair).sign)
    await writeFile(join(f.dir, 'metadata', '4.root.json'), JSON.stringify(forged.toJSON()))
    const fresh = await kiosk(f)
    const refused = await fresh.refresh()
    expect(refused).toMatchObject({ ok: false, error: { code: TufErrorCodes.badSignature } })
  })

  it("rejects firmware under vendor A's path signed only with vendor B's key", async () => {
    const f = await fixture()
    const evil = new TextEncoder().encode('not acme firmware')
    const evilPath = 'firmware/acme/gh-467/fw-6.6.bin'
    // B lists the file in its own role: the kiosk never asks B about acme's paths.
    await publishForged(f, 'vendor-bolt', createSigner(f.bolt), [targetFile(evilPath, evil)])
    await f.store.writeTarget(hashPrefixedTargetPath(evilPath, targetFile(evilPath, evil).hashes.sha256 ?? ''), evil)
    const viaBolt = await (await kiosk(f)).fetchTarget(evilPath)
    expect(viaBolt).toMatchObject({ ok: false, error: { code: TufErrorCodes.targetNotFound } })
    // B signs acme's role itself: the delegation's keys do not match.
    await publishForged(f, 'vendor-acme', createSigner(f.bolt), [targetFile(evilPath, evil)])
    const asAcme = await (await kiosk(f)).fetchTarget(evilPath)
    expect(asAcme).toMatchObject({ ok: false, error: { code: TufErrorCodes.badSignature } })
  })
})

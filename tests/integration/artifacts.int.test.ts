/**
 * Artifacts through the real fleet-server HTTP API: push (resumable upload), hash and config-schema
 * checks, app releases signed into TUF, vendor artifacts signed on the "vendor's machine" with a
 * signing request, the repository served to a kiosk's tuf-js verifier, approvals, revocation,
 * restart, expiry re-signing, and two replicas publishing into one PostgreSQL repository.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DatabaseMetadataStore,
  type FleetServer,
  generateTufKeyPair,
  loadOnlineSigners,
  migrate,
  openPgliteDatabase,
  openPostgresDatabase,
  publicKeyOf,
  signNextRoot,
  signVendorMetadata,
  type TufKeyPairJson,
  TufRepository,
} from '@fleet/server'
import { Metadata, MetadataKind } from '@tufjs/models'
import { afterEach, describe, expect, it } from 'vitest'
import { TufVerifier } from '../../kiosk/agent/src/updates/tuf-verifier.ts'
import { testAppRelease, testFirmwareImage } from '../support/artifact-bytes.ts'
import { createTestDatabase, DATABASE_KINDS, type DatabaseKind, type TestDatabase } from '../support/databases.ts'
import { quietLogger } from '../support/fleet.ts'
import {
  createTestUpdateKeys,
  startUpdateFleet,
  TEST_FIRMWARE_MODEL,
  TEST_NO_UPDATE_MODEL,
  TEST_OTHER_VENDOR_MODEL,
  type TestUpdateKeys,
  testUser,
} from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

interface Harness {
  fleet: FleetServer
  database: TestDatabase
  updatesDir: string
  keys: TestUpdateKeys
  admin: { authorization: string }
  restart(options?: { clock?: () => number }): Promise<FleetServer>
}

async function harness(kind: DatabaseKind = 'pglite', clock?: () => number): Promise<Harness> {
  const keys = await createTestUpdateKeys()
  cleanups.push(() => keys.cleanup())
  const database = await createTestDatabase(kind)
  cleanups.push(() => database.drop())
  const updatesDir = await tempDir('fleet-updates-')
  const start = (c?: () => number) =>
    startUpdateFleet({ database, updatesDir, keys, ...(c === undefined ? {} : { clock: c }) })
  const h: Harness = {
    fleet: await start(clock),
    database,
    updatesDir,
    keys,
    admin: { authorization: '' },
    async restart(options) {
      await h.fleet.stop()
      h.fleet = await start(options?.clock ?? clock)
      return h.fleet
    },
  }
  cleanups.push(() => h.fleet.stop())
  h.admin = await testUser(h.fleet, 'it-admin', 'admin')
  return h
}

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

async function call(
  fleet: FleetServer,
  method: string,
  path: string,
  auth: { authorization: string } | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const isBytes = body instanceof Uint8Array
  const response = await fetch(`${fleet.httpUrl}${path}`, {
    method,
    headers: {
      ...(auth ?? {}),
      ...(body === undefined || isBytes ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: isBytes ? Buffer.from(body) : JSON.stringify(body) }),
  })
  const text = await response.text()
  let parsed: Record<string, unknown> = {}
  if (text !== '' && response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text)
  return { status: response.status, headers: response.headers, body: parsed }
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex')

async function patch(
  fleet: FleetServer,
  auth: { authorization: string },
  uploadId: string,
  offset: number,
  bytes: Uint8Array,
): Promise<Answer> {
  return call(fleet, 'PATCH', `/api/uploads/${uploadId}`, auth, bytes, {
    'content-type': 'application/offset+octet-stream',
    'upload-offset': String(offset),
  })
}

interface Created {
  artifact: { id: string; targetPath: string; status: string }
  upload: { id: string; offset: number }
}

async function create(
  fleet: FleetServer,
  auth: { authorization: string },
  input: Record<string, unknown>,
  bytes: Uint8Array,
): Promise<Answer & { created: Created }> {
  const answer = await call(fleet, 'POST', '/api/artifacts', auth, {
    fileName: 'file.bin',
    length: bytes.byteLength,
    sha256: sha256(bytes),
    compatibility: { machineTypes: ['id'] },
    ...input,
  })
  return { ...answer, created: answer.body as unknown as Created }
}

/** Creates and uploads in one PATCH; returns the artifact id and the status after the last byte. */
async function push(
  fleet: FleetServer,
  auth: { authorization: string },
  input: Record<string, unknown>,
  bytes: Uint8Array,
): Promise<{ id: string; status: string | null; targetPath: string }> {
  const { status, created, body } = await create(fleet, auth, input, bytes)
  expect(status, JSON.stringify(body)).toBe(201)
  const done = await patch(fleet, auth, created.upload.id, 0, bytes)
  expect(done.status, JSON.stringify(done.body)).toBe(204)
  expect(done.headers.get('upload-offset')).toBe(String(bytes.byteLength))
  return {
    id: created.artifact.id,
    status: done.headers.get('artifact-status'),
    targetPath: created.artifact.targetPath,
  }
}

async function kiosk(h: Harness): Promise<TufVerifier> {
  const dir = await tempDir('kiosk-tuf-')
  const trustedRootFile = join(dir, 'shipped-root.json')
  await writeFile(trustedRootFile, h.keys.rootJson)
  return new TufVerifier({
    metadataBaseUrl: `${h.fleet.httpUrl}/updates/metadata/`,
    targetBaseUrl: `${h.fleet.httpUrl}/updates/targets/`,
    metadataDir: join(dir, 'metadata'),
    targetDir: join(dir, 'targets'),
    trustedRootFile,
  })
}

async function registerVendor(h: Harness, id: string, keys: TufKeyPairJson[], threshold = 1): Promise<void> {
  const answer = await call(h.fleet, 'POST', '/api/update-vendors', h.admin, {
    id,
    name: `${id} Ltd`,
    publicKeys: keys.map(publicKeyOf),
    threshold,
  })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
}

// Incompressible enough that the tarball is over 11 kB (the Range checks read past 11000).
const bulk = Array.from({ length: 400 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('\n')
const appRelease = (version: string) => testAppRelease(version, { files: { 'ui/app.js': bulk } })
const APP = appRelease('1.4.0')

describe.each(DATABASE_KINDS)('artifacts over HTTP (%s)', (kind) => {
  it('pushes an app release that a kiosk downloads and verifies with tuf-js', async () => {
    const h = await harness(kind)
    const pushed = await push(
      h.fleet,
      h.admin,
      { kind: 'app', version: '1.4.0', compatibility: { machineTypes: ['id', 'tax'], minAppVersion: '1.2.0' } },
      APP,
    )
    expect(pushed).toMatchObject({ status: 'ready', targetPath: 'app/1.4.0/kiosk-app-1.4.0.tar.gz' })

    const verifier = await kiosk(h)
    const result = await verifier.fetchTarget(pushed.targetPath)
    if (!result.ok) throw new Error(`kiosk refused: ${JSON.stringify(result.error)}`)
    expect(result.value.sha256).toBe(sha256(APP))
    expect(result.value.custom).toEqual({
      kind: 'app',
      version: '1.4.0',
      machineTypes: ['id', 'tax'],
      hwRevisions: [],
      minAppVersion: '1.2.0',
    })

    const shown = await call(h.fleet, 'GET', `/api/artifacts/${pushed.id}`, h.admin)
    expect(shown.body).toMatchObject({ status: 'ready', sha256: sha256(APP), approvals: [], upload: null })
    const audit = await call(h.fleet, 'GET', '/api/audit?limit=50', h.admin)
    const actions = (audit.body.entries as Array<{ action: string }> | undefined)?.map((e) => e.action) ?? []
    expect(actions).toEqual(expect.arrayContaining(['artifact.create', 'artifact.ready']))
  })

  it('lets a vendor sign its firmware locally: signing request, signatures, ready, verified by tuf-js', async () => {
    const h = await harness(kind)
    const vendorKey = generateTufKeyPair()
    const otherKey = generateTufKeyPair()
    await registerVendor(h, 'xprinter', [vendorKey])
    const vendor = await testUser(h.fleet, 'xp-user', 'vendor', { vendors: ['xprinter'] })
    const firmware = testFirmwareImage(TEST_FIRMWARE_MODEL, '2.1')
    const pushed = await push(
      h.fleet,
      vendor,
      {
        kind: 'firmware',
        version: '2.1',
        vendor: 'xprinter',
        deviceModel: TEST_FIRMWARE_MODEL,
        fileName: 'fw-2.1.bin',
        compatibility: { machineTypes: ['id'], hwRevisions: ['r2'] },
      },
      firmware,
    )
    expect(pushed).toMatchObject({
      status: 'signing',
      targetPath: `firmware/xprinter/${TEST_FIRMWARE_MODEL}/fw-2.1.bin`,
    })

    const request = await call(h.fleet, 'GET', `/api/artifacts/${pushed.id}/signing-request`, vendor)
    expect(request.status).toBe(200)
    expect(request.body).toMatchObject({ role: 'vendor-xprinter', version: 1 })
    expect(JSON.stringify(request.body)).not.toContain('"private"')

    // A key the delegation does not list: refused, and the artifact still waits for signatures.
    const forged = signVendorMetadata(request.body.metadata, [otherKey])
    const refused = await call(h.fleet, 'POST', `/api/artifacts/${pushed.id}/signatures`, vendor, {
      signatures: forged.signatures,
    })
    expect(refused.status).toBe(422)
    expect(refused.body.code).toBe('ERR_FLEET_SIGNATURES_REJECTED')
    expect((await call(h.fleet, 'GET', `/api/artifacts/${pushed.id}`, vendor)).body.status).toBe('signing')

    const signed = signVendorMetadata(request.body.metadata, [vendorKey])
    const accepted = await call(h.fleet, 'POST', `/api/artifacts/${pushed.id}/signatures`, vendor, {
      signatures: signed.signatures,
    })
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    expect(accepted.body.status).toBe('ready')

    const result = await (await kiosk(h)).fetchTarget(pushed.targetPath)
    if (!result.ok) throw new Error(`kiosk refused: ${JSON.stringify(result.error)}`)
    expect(result.value.sha256).toBe(sha256(firmware))
    expect(result.value.custom).toMatchObject({
      kind: 'firmware',
      deviceModel: TEST_FIRMWARE_MODEL,
      hwRevisions: ['r2'],
    })
  })
})

// PGlite runs the flows above and the interrupted upload; the rest run on PostgreSQL (quicker to start).
describe('artifact uploads', () => {
  it('resumes after an interrupted PATCH and refuses a concurrent PATCH to the same upload', async () => {
    const h = await harness()
    const APP = appRelease('1.5.0')
    const { status, created } = await create(h.fleet, h.admin, { kind: 'app', version: '1.5.0' }, APP)
    expect(status).toBe(201)
    const uploadId = created.upload.id
    const half = 4096
    const url = new URL(`${h.fleet.httpUrl}/api/uploads/${uploadId}`)
    const interrupted = httpRequest(url, {
      method: 'PATCH',
      headers: {
        ...h.admin,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
        'content-length': String(APP.byteLength),
      },
    })
    interrupted.on('error', () => undefined)
    await new Promise<void>((resolve, reject) =>
      interrupted.write(APP.subarray(0, half), (err) => (err ? reject(err) : resolve())),
    )
    // While that PATCH is open, another one is refused (probe with a wrong offset: it never appends).
    await waitFor('the open PATCH holds the upload', async () => {
      const probe = await patch(h.fleet, h.admin, uploadId, 999_999, new Uint8Array([1]))
      return probe.body.code === 'ERR_FLEET_UPLOAD_BUSY'
    })
    interrupted.destroy()
    await waitFor('the received half is acknowledged', async () => {
      const head = await call(h.fleet, 'HEAD', `/api/uploads/${uploadId}`, h.admin)
      return (
        head.headers.get('upload-offset') === String(half) &&
        head.headers.get('upload-length') === String(APP.byteLength)
      )
    })
    const rest = await patch(h.fleet, h.admin, uploadId, half, APP.subarray(half))
    expect(rest.status).toBe(204)
    expect(rest.headers.get('artifact-status')).toBe('ready')
    const result = await (await kiosk(h)).fetchTarget(created.artifact.targetPath)
    expect(result.ok && result.value.sha256).toBe(sha256(APP))
  })

  it('answers a wrong offset with 409 and the server offset, and a later PATCH after completion with 409', async () => {
    const h = await harness('postgres')
    const { created } = await create(h.fleet, h.admin, { kind: 'app', version: '1.6.0' }, APP)
    const first = await patch(h.fleet, h.admin, created.upload.id, 0, APP.subarray(0, 100))
    expect(first.status).toBe(204)
    const wrong = await patch(h.fleet, h.admin, created.upload.id, 50, APP.subarray(50, 200))
    expect(wrong.status).toBe(409)
    expect(wrong.body.code).toBe('ERR_FLEET_UPLOAD_OFFSET_MISMATCH')
    expect(wrong.headers.get('upload-offset')).toBe('100')
    const tooMuch = await patch(h.fleet, h.admin, created.upload.id, 100, new Uint8Array(APP.byteLength))
    expect(tooMuch.status).toBe(413)
    expect(tooMuch.body.code).toBe('ERR_FLEET_UPLOAD_TOO_LONG')
    const head = await call(h.fleet, 'HEAD', `/api/uploads/${created.upload.id}`, h.admin)
    expect(head.headers.get('upload-offset')).toBe(String(APP.byteLength))
    // The excess was cut off, so the announced hash does not match: rejected on the last byte.
    expect(tooMuch.headers.get('upload-offset')).toBe(String(APP.byteLength))
    expect((await call(h.fleet, 'GET', `/api/artifacts/${created.artifact.id}`, h.admin)).body.status).toBe('rejected')
    const after = await patch(h.fleet, h.admin, created.upload.id, APP.byteLength, new Uint8Array([1]))
    expect(after.status).toBe(409)
    expect(after.body.code).toBe('ERR_FLEET_ARTIFACT_STATE')
    const noType = await call(h.fleet, 'PATCH', `/api/uploads/${created.upload.id}`, h.admin, new Uint8Array([1]), {
      'upload-offset': '0',
      'content-type': 'application/octet-stream',
    })
    expect(noType.status).toBe(415)
    const unknown = await call(h.fleet, 'HEAD', `/api/uploads/upl_${'0'.repeat(32)}`, h.admin)
    expect(unknown.status).toBe(404)
  })

  it('refuses a release without a valid release.json and firmware that is not the model image, with the reason', async () => {
    const h = await harness()
    const reasonOf = async (id: string) =>
      (await call(h.fleet, 'GET', `/api/artifacts/${id}`, h.admin)).body as { status: string; statusReason: string }
    const noManifest = await push(
      h.fleet,
      h.admin,
      { kind: 'app', version: '4.0.0' },
      testAppRelease('4.0.0', { manifest: null }),
    )
    expect(noManifest.status).toBe('rejected')
    expect((await reasonOf(noManifest.id)).statusReason).toContain('no release.json at the top of the archive')
    const wrongVersion = await push(h.fleet, h.admin, { kind: 'app', version: '4.0.1' }, appRelease('4.0.0'))
    expect((await reasonOf(wrongVersion.id)).statusReason).toContain('release.json names version 4.0.0, not 4.0.1')
    const badMain = await push(
      h.fleet,
      h.admin,
      { kind: 'app', version: '4.0.2' },
      testAppRelease('4.0.2', { manifest: { version: '4.0.2', main: 'kiosk/agent/bin/missing.mjs' } }),
    )
    expect((await reasonOf(badMain.id)).statusReason).toContain(
      'main kiosk/agent/bin/missing.mjs is not in the archive',
    )
    const notTar = await push(h.fleet, h.admin, { kind: 'app', version: '4.0.3' }, new TextEncoder().encode('release'))
    expect((await reasonOf(notTar.id)).statusReason).toContain('not a tar archive')

    const vendorKey = generateTufKeyPair()
    await registerVendor(h, 'xprinter', [vendorKey])
    const vendor = await testUser(h.fleet, 'xp-fw', 'vendor', { vendors: ['xprinter'] })
    const fw = (version: string) => ({
      kind: 'firmware',
      version,
      deviceModel: TEST_FIRMWARE_MODEL,
      fileName: `fw-${version}.bin`,
      compatibility: { machineTypes: ['id'], hwRevisions: ['r2'] },
    })
    const random = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2_654_435_761) >>> 24)
    const junk = await push(h.fleet, vendor, fw('3.0'), random)
    expect(junk.status).toBe('rejected')
    expect((await reasonOf(junk.id)).statusReason).toBe(
      `not a kfw1 firmware image for ${TEST_FIRMWARE_MODEL}: not a KFW1 image: no KFW1 magic at the start`,
    )
    const foreign = await push(h.fleet, vendor, fw('3.1'), testFirmwareImage('epson-tm-t88v', '3.1'))
    expect((await reasonOf(foreign.id)).statusReason).toContain('KFW1 image is for model epson-tm-t88v')
    const damaged = testFirmwareImage(TEST_FIRMWARE_MODEL, '3.2')
    damaged[200] = (damaged[200] ?? 0) ^ 1
    const broken = await push(h.fleet, vendor, fw('3.2'), damaged)
    expect((await reasonOf(broken.id)).statusReason).toContain('checksum')
    const good = await push(h.fleet, vendor, fw('3.3'), testFirmwareImage(TEST_FIRMWARE_MODEL, '3.3'))
    expect(good.status).toBe('signing')
    const targets = await call(h.fleet, 'GET', '/updates/metadata/targets.json', undefined)
    expect(JSON.stringify(targets.body)).not.toContain('4.0.')
    const audit = await call(h.fleet, 'GET', '/api/audit?limit=100', h.admin)
    expect((audit.body.entries as Array<{ action: string }>).filter((e) => e.action === 'artifact.reject').length).toBe(
      7,
    )
  })

  it('rejects an upload whose sha256 does not match the announced one', async () => {
    const h = await harness('postgres')
    const bytes = new TextEncoder().encode('release 1.7.0')
    const { created } = await create(
      h.fleet,
      h.admin,
      { kind: 'app', version: '1.7.0', sha256: sha256('other') },
      bytes,
    )
    const done = await patch(h.fleet, h.admin, created.upload.id, 0, bytes)
    expect(done.headers.get('artifact-status')).toBe('rejected')
    const shown = await call(h.fleet, 'GET', `/api/artifacts/${created.artifact.id}`, h.admin)
    expect(shown.body.status).toBe('rejected')
    expect(shown.body.statusReason).toContain('sha256 mismatch')
    const targets = await call(h.fleet, 'GET', '/updates/metadata/targets.json', undefined)
    expect(JSON.stringify(targets.body)).not.toContain('1.7.0')
  })

  it("checks a config against the model's schema: violations rejected with the reasons, a valid one goes to signing", async () => {
    const h = await harness('postgres')
    await registerVendor(h, 'xprinter', [generateTufKeyPair()])
    const vendor = await testUser(h.fleet, 'xp-user', 'vendor', { vendors: ['xprinter'] })
    const base = { kind: 'config', vendor: 'xprinter', deviceModel: TEST_FIRMWARE_MODEL }
    const bad = new TextEncoder().encode(JSON.stringify({ density: 12, colour: 'red' }))
    const rejected = await push(h.fleet, vendor, { ...base, version: 'c1', fileName: 'settings-c1.json' }, bad)
    expect(rejected.status).toBe('rejected')
    const shown = await call(h.fleet, 'GET', `/api/artifacts/${rejected.id}`, vendor)
    expect(shown.body.statusReason).toContain('/density must be <= 8')
    expect(shown.body.statusReason).toContain("must have required property 'cutter'")
    expect(shown.body.statusReason).toContain('must NOT have additional properties')
    const notJson = await push(
      h.fleet,
      vendor,
      { ...base, version: 'c2', fileName: 'settings-c2.json' },
      new TextEncoder().encode('{'),
    )
    expect(notJson.status).toBe('rejected')
    const good = new TextEncoder().encode(JSON.stringify({ density: 5, cutter: true }))
    const ok = await push(h.fleet, vendor, { ...base, version: 'c3', fileName: 'settings-c3.json' }, good)
    expect(ok.status).toBe('signing')
  })

  it('refuses what the caller may not push or what does not fit the model, each with its code', async () => {
    const h = await harness('postgres')
    await registerVendor(h, 'xprinter', [generateTufKeyPair()])
    await registerVendor(h, 'epson', [generateTufKeyPair()])
    const vendor = await testUser(h.fleet, 'xp-user', 'vendor', { vendors: ['xprinter'] })
    const department = await testUser(h.fleet, 'dept-user', 'department', { departments: ['tax'] })
    const bytes = new Uint8Array([1, 2, 3])
    const fw = { kind: 'firmware', version: '1.0', fileName: 'fw.bin' }
    const catalogue = { kind: 'catalogue', version: '2026.12', fileName: 'tax.json', department: 'tax' }
    const cases: Array<[{ authorization: string }, Record<string, unknown>, number, string]> = [
      [vendor, { ...fw, deviceModel: TEST_OTHER_VENDOR_MODEL }, 403, 'ERR_FLEET_VENDOR_FORBIDDEN'],
      [vendor, { ...fw, vendor: 'epson', deviceModel: TEST_FIRMWARE_MODEL }, 400, 'ERR_FLEET_VENDOR_MISMATCH'],
      [vendor, { kind: 'app', version: '2.0.0' }, 403, 'ERR_FLEET_APP_RELEASE_ADMIN_ONLY'],
      [vendor, { ...fw, deviceModel: 'acme-nothing' }, 400, 'ERR_FLEET_UNKNOWN_DEVICE_MODEL'],
      [
        vendor,
        { ...fw, deviceModel: TEST_FIRMWARE_MODEL, compatibility: { machineTypes: ['toaster'] } },
        400,
        'ERR_FLEET_UNKNOWN_MACHINE_TYPE',
      ],
      [
        vendor,
        { ...fw, deviceModel: TEST_FIRMWARE_MODEL, compatibility: { hwRevisions: ['r9'] } },
        400,
        'ERR_FLEET_UNKNOWN_HW_REVISION',
      ],
      [h.admin, { ...fw, deviceModel: TEST_NO_UPDATE_MODEL }, 400, 'ERR_FLEET_MODEL_TAKES_NO_FIRMWARE'],
      [
        h.admin,
        { ...fw, kind: 'config', fileName: 'c.json', deviceModel: TEST_OTHER_VENDOR_MODEL },
        400,
        'ERR_FLEET_MODEL_TAKES_NO_CONFIG',
      ],
      [h.admin, { kind: 'app', version: 'latest' }, 400, 'ERR_FLEET_ARTIFACT_INVALID'],
      [
        h.admin,
        { kind: 'app', version: '2.0.0', compatibility: { minAppVersion: 'one' } },
        400,
        'ERR_FLEET_BAD_REQUEST',
      ],
      [h.admin, { kind: 'app', version: '2.0.0', fileName: '../../etc/passwd' }, 400, 'ERR_FLEET_BAD_REQUEST'],
      [department, { kind: 'app', version: '2.0.0' }, 403, 'ERR_FLEET_APP_RELEASE_ADMIN_ONLY'],
      // Catalogue bundles: a department pushes its own, nothing else; no vendor pushes one.
      [department, { ...fw, deviceModel: TEST_FIRMWARE_MODEL }, 403, 'ERR_FLEET_VENDOR_FORBIDDEN'],
      [department, { ...catalogue, department: 'hrss' }, 403, 'ERR_FLEET_DEPARTMENT_FORBIDDEN'],
      [vendor, catalogue, 403, 'ERR_FLEET_DEPARTMENT_FORBIDDEN'],
      [department, catalogue, 400, 'ERR_FLEET_UNKNOWN_UPDATE_DEPARTMENT'],
      [h.admin, { ...catalogue, department: undefined }, 400, 'ERR_FLEET_ARTIFACT_INVALID'],
      [h.admin, { ...catalogue, deviceModel: TEST_FIRMWARE_MODEL }, 400, 'ERR_FLEET_ARTIFACT_INVALID'],
      [h.admin, { ...fw, deviceModel: TEST_FIRMWARE_MODEL, department: 'tax' }, 400, 'ERR_FLEET_ARTIFACT_INVALID'],
    ]
    for (const [auth, input, status, code] of cases) {
      const answer = await create(h.fleet, auth, input, bytes)
      expect({ input, status: answer.status, code: answer.body.code }).toEqual({ input, status, code })
    }
    // A department's signing role: only for a department the fleet knows (the catalogue names tax).
    const departmentKey = { name: 'Tax bureau', publicKeys: [publicKeyOf(generateTufKeyPair())], threshold: 1 }
    const typo = await call(h.fleet, 'POST', '/api/update-departments', h.admin, { id: 'taxx', ...departmentKey })
    expect({ status: typo.status, code: typo.body.code }).toEqual({ status: 400, code: 'ERR_FLEET_UNKNOWN_DEPARTMENT' })
    expect(
      (await call(h.fleet, 'POST', '/api/update-departments', department, { id: 'tax', ...departmentKey })).status,
    ).toBe(403)
    expect(
      (await call(h.fleet, 'POST', '/api/update-departments', h.admin, { id: 'tax', ...departmentKey })).status,
    ).toBe(200)
    const ok = await create(h.fleet, vendor, { ...fw, deviceModel: TEST_FIRMWARE_MODEL }, bytes)
    expect(ok.status).toBe(201)
    const again = await create(h.fleet, vendor, { ...fw, deviceModel: TEST_FIRMWARE_MODEL }, bytes)
    expect(again.body.code).toBe('ERR_FLEET_ARTIFACT_EXISTS')
    // Vendor users see only their vendors' artifacts.
    await push(h.fleet, h.admin, { kind: 'app', version: '2.1.0' }, appRelease('2.1.0'))
    const mine = await call(h.fleet, 'GET', '/api/artifacts', vendor)
    expect((mine.body.artifacts as Array<{ vendor: string }>).map((a) => a.vendor)).toEqual(['xprinter'])
    expect((await call(h.fleet, 'GET', '/api/artifacts', h.admin)).body.artifacts).toHaveLength(2)
    const denied = await call(h.fleet, 'GET', '/api/audit?limit=100', h.admin)
    expect((denied.body.entries as Array<{ outcome: string }>).some((e) => e.outcome === 'denied')).toBe(true)
  })

  it('records department approvals only for the approver’s departments, and revocation by an admin', async () => {
    const h = await harness('postgres')
    const tax = await testUser(h.fleet, 'tax-user', 'department', { departments: ['tax'] })
    const { id, targetPath } = await push(h.fleet, h.admin, { kind: 'app', version: '3.0.0' }, appRelease('3.0.0'))
    const verifier = await kiosk(h)
    expect((await verifier.targetInfo(targetPath)).ok).toBe(true)
    const approved = await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, tax, { department: 'tax' })
    expect(approved.status).toBe(200)
    expect(approved.body.approvals).toEqual([expect.objectContaining({ department: 'tax', approvedBy: 'tax-user' })])
    const other = await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, tax, { department: 'police' })
    expect(other.body.code).toBe('ERR_FLEET_DEPARTMENT_FORBIDDEN')
    // 'police' is no department the fleet knows: even an admin's approval for it is refused, naming it.
    const mistyped = await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, h.admin, { department: 'police' })
    expect(mistyped.body).toMatchObject({
      code: 'ERR_FLEET_UNKNOWN_DEPARTMENT',
      message: 'unknown department: "police"',
    })
    expect(
      (await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, h.admin, { department: 'public-security' }))
        .status,
    ).toBe(200)
    const withdrawn = await call(h.fleet, 'DELETE', `/api/artifacts/${id}/approvals/tax`, tax)
    expect((withdrawn.body.approvals as Array<{ department: string }>).map((a) => a.department)).toEqual([
      'public-security',
    ])
    expect((await call(h.fleet, 'POST', `/api/artifacts/${id}/revoke`, tax, { reason: 'x' })).status).toBe(403)
    // The right is checked before the body: a caller without it learns nothing of what a valid one is.
    const bad = { kind: 'bogus', extra: true }
    const auditor = await testUser(h.fleet, 'auditor-user', 'auditor')
    expect((await call(h.fleet, 'POST', '/api/artifacts', auditor, bad)).body.code).toBe('ERR_FLEET_FORBIDDEN')
    expect((await call(h.fleet, 'POST', '/api/artifacts', undefined, bad)).body.code).toBe('ERR_FLEET_UNAUTHENTICATED')
    expect((await call(h.fleet, 'POST', '/api/artifacts', h.admin, bad)).status).toBe(400)
    const revoked = await call(h.fleet, 'POST', `/api/artifacts/${id}/revoke`, h.admin, { reason: 'crash loop' })
    expect(revoked.body).toMatchObject({ status: 'revoked', statusReason: 'crash loop' })
    // The release left the signed targets: a kiosk that already trusted it no longer finds it.
    const gone = await verifier.targetInfo(targetPath)
    expect(gone.ok ? 'still listed' : gone.error.code).toBe('ERR_KIOSK_UPDATE_TARGET_NOT_FOUND')
    const targets = await call(h.fleet, 'GET', '/updates/metadata/targets.json', undefined)
    expect(JSON.stringify(targets.body)).not.toContain(targetPath)
    // Revoking again changes nothing and records nothing new.
    const audited = async () =>
      ((await call(h.fleet, 'GET', '/api/audit?limit=100', h.admin)).body.entries as Array<{ action: string }>).filter(
        (e) => e.action === 'artifact.revoke',
      ).length
    expect(await audited()).toBe(1)
    expect((await call(h.fleet, 'POST', `/api/artifacts/${id}/revoke`, h.admin, {})).body.status).toBe('revoked')
    expect(await audited()).toBe(1)
    const late = await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, h.admin, { department: 'tax' })
    expect(late.body.code).toBe('ERR_FLEET_ARTIFACT_STATE')
  })
})

describe('root renewal over HTTP', () => {
  it('publishes a root renewed offline for an admin only, once, and kiosks and a restart follow it', async () => {
    const h = await harness('postgres')
    const vendor = await testUser(h.fleet, 'xp-user', 'vendor', { vendors: ['xprinter'] })
    const verifier = await kiosk(h)
    expect((await verifier.refresh()).ok).toBe(true)
    const rootKey = JSON.parse(await readFile(join(h.keys.dir, 'root-key-1.json'), 'utf8')) as TufKeyPairJson
    const current = Metadata.fromJSON(MetadataKind.Root, JSON.parse(h.keys.rootJson))
    const next = signNextRoot({ current, signWith: [rootKey], now: Date.now(), lifetimeMs: 730 * 86_400_000 })
    const body = next.toJSON()
    expect((await call(h.fleet, 'POST', '/api/update-repository/root', vendor, body)).status).toBe(403)
    const published = await call(h.fleet, 'POST', '/api/update-repository/root', h.admin, body)
    expect(published.status, JSON.stringify(published.body)).toBe(200)
    expect(published.body).toMatchObject({ version: 2, expires: next.signed.expires })
    const again = await call(h.fleet, 'POST', '/api/update-repository/root', h.admin, body)
    expect(again.body.code).toBe('ERR_FLEET_UPDATE_INVALID')
    expect(again.body.message).toContain('does not follow the published version 2')
    // A kiosk that trusts root 1 walks to 2, and the next refresh stays on it.
    expect((await verifier.refresh()).ok).toBe(true)
    expect((await call(h.fleet, 'GET', '/updates/metadata/2.root.json', undefined)).status).toBe(200)
    const audit = await call(h.fleet, 'GET', '/api/audit?limit=100', h.admin)
    const rootUpdates = (audit.body.entries as Array<{ action: string; outcome: string }>).filter(
      (e) => e.action === 'updates.root.update',
    )
    expect(rootUpdates.map((e) => e.outcome).sort()).toEqual(['failed', 'ok'])
    // The server restarts with its original root file (version 1): the published root 2 stays.
    await h.restart()
    expect((await call(h.fleet, 'GET', '/updates/metadata/root.json', undefined)).body).toMatchObject({
      signed: { version: 2 },
    })
  })
})

describe('live dashboards', () => {
  it('hear `event: artifact` with the id when an artifact is pushed, approved and revoked', async () => {
    const h = await harness()
    const stream = await fetch(`${h.fleet.httpUrl}/api/stream`, { headers: h.admin })
    expect(stream.status).toBe(200)
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
    cleanups.push(() => reader.cancel())
    let text = ''
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
        if (done) return
        text += new TextDecoder().decode(value)
      }
    })()
    const eventsFor = (id: string) =>
      text.split('\n\n').filter((e) => e.startsWith('event: artifact') && e.includes(`"id":"${id}"`)).length
    const { id } = await push(h.fleet, h.admin, { kind: 'app', version: '3.1.0' }, appRelease('3.1.0'))
    await waitFor('artifact event after the push', () => eventsFor(id) >= 1)
    const pushed = eventsFor(id)
    await call(h.fleet, 'POST', `/api/artifacts/${id}/approvals`, h.admin, { department: 'tax' })
    await waitFor('artifact event after the approval', () => eventsFor(id) > pushed)
    const approved = eventsFor(id)
    await call(h.fleet, 'POST', `/api/artifacts/${id}/revoke`, h.admin, { reason: 'withdrawn' })
    await waitFor('artifact event after the revocation', () => eventsFor(id) > approved)
  })
})

describe('the update repository over HTTP', () => {
  it('serves targets with Range, metadata as JSON, and 404s unknown names and traversal', async () => {
    const h = await harness('postgres')
    const { targetPath } = await push(h.fleet, h.admin, { kind: 'app', version: '1.4.0' }, APP)
    const slash = targetPath.lastIndexOf('/')
    const blob = `/updates/targets/${targetPath.slice(0, slash)}/${sha256(APP)}.${targetPath.slice(slash + 1)}`
    const ranged = await fetch(`${h.fleet.httpUrl}${blob}`, { headers: { range: 'bytes=100-199' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${APP.byteLength}`)
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(APP.subarray(100, 200))
    const tail = await fetch(`${h.fleet.httpUrl}${blob}`, { headers: { range: 'bytes=11000-' } })
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(APP.subarray(11000))
    const whole = await fetch(`${h.fleet.httpUrl}${blob}`)
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(APP)
    const beyond = await fetch(`${h.fleet.httpUrl}${blob}`, { headers: { range: `bytes=${APP.byteLength}-` } })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe(`bytes */${APP.byteLength}`)

    const timestamp = await fetch(`${h.fleet.httpUrl}/updates/metadata/timestamp.json`)
    expect(timestamp.headers.get('content-type')).toContain('application/json')
    expect(((await timestamp.json()) as { signed: { _type: string } }).signed._type).toBe('timestamp')
    expect((await fetch(`${h.fleet.httpUrl}/updates/metadata/2.targets.json`)).status).toBe(200)
    for (const path of [
      '/updates/metadata/99.targets.json',
      '/updates/metadata/pending.art-1.json',
      '/updates/metadata/..%2F..%2Fetc%2Fpasswd',
      '/updates/targets/app/nothing.tar.gz',
      '/updates/targets/..%2F..%2F..%2Fetc%2Fpasswd',
      '/updates/targets/app/%2E%2E/%2E%2E/uploads',
    ]) {
      expect({ path, status: (await fetch(`${h.fleet.httpUrl}${path}`)).status }).toEqual({ path, status: 404 })
    }
  })

  it('keeps metadata and blobs across a restart and carries on the versions', async () => {
    const h = await harness()
    await push(h.fleet, h.admin, { kind: 'app', version: '1.4.0' }, APP)
    const before = await call(h.fleet, 'GET', '/updates/metadata/timestamp.json', undefined)
    await h.restart()
    const after = await call(h.fleet, 'GET', '/updates/metadata/timestamp.json', undefined)
    expect(after.body).toEqual(before.body)
    await push(h.fleet, h.admin, { kind: 'app', version: '1.4.1' }, appRelease('1.4.1'))
    expect(await h.fleet.updates?.repository()).toBeInstanceOf(TufRepository)
    const repo = h.fleet.updates?.repository() as TufRepository
    expect(await repo.versions()).toEqual({ root: 1, targets: 3, snapshot: 3, timestamp: 3 })
    const verifier = await kiosk(h)
    for (const path of ['app/1.4.0/kiosk-app-1.4.0.tar.gz', 'app/1.4.1/kiosk-app-1.4.1.tar.gz']) {
      const result = await verifier.fetchTarget(path)
      expect(result.ok, JSON.stringify(result)).toBe(true)
    }
  })

  it('re-signs the timestamp when it nears expiry (injected clock) and the kiosk accepts it', async () => {
    let now = Date.now()
    const h = await harness('pglite', () => now)
    const refresher = h.fleet.updates?.refresher
    if (refresher === undefined) throw new Error('no refresher')
    await refresher.runOnce()
    expect(refresher.stats.resigned.timestamp).toBe(0)
    const before = (await call(h.fleet, 'GET', '/updates/metadata/timestamp.json', undefined)).body as {
      signed: { version: number; expires: string }
    }
    now += 13 * 3_600_000
    await refresher.runOnce()
    expect(refresher.stats.resigned.timestamp).toBe(1)
    const after = (await call(h.fleet, 'GET', '/updates/metadata/timestamp.json', undefined)).body as typeof before
    expect(after.signed.version).toBe(before.signed.version + 1)
    expect(Date.parse(after.signed.expires)).toBeGreaterThan(Date.parse(before.signed.expires))
    // /metrics answers only the scrape token or an operator (docs/operations.md "Hardening").
    const metrics = await (await fetch(`${h.fleet.httpUrl}/metrics`, { headers: h.admin })).text()
    expect(metrics).toContain('fleet_tuf_resigned_total{role="timestamp"} 1')
    expect(metrics).toContain('fleet_tuf_repository_ready 1')
    const fresh = await (await kiosk(h)).refresh()
    expect(fresh.ok && fresh.value.timestampVersion).toBe(after.signed.version)
  })

  it('starts without a root: update routes answer not initialised, the rest of the server works', async () => {
    const database = await createTestDatabase('pglite')
    cleanups.push(() => database.drop())
    const fleet = await startUpdateFleet({ database, updatesDir: await tempDir('fleet-updates-') })
    cleanups.push(() => fleet.stop())
    const admin = await testUser(fleet, 'it-admin', 'admin')
    const metadata = await call(fleet, 'GET', '/updates/metadata/timestamp.json', undefined)
    expect(metadata.status).toBe(503)
    expect(metadata.body.code).toBe('ERR_FLEET_UPDATES_NOT_INITIALISED')
    expect(metadata.body.message).toContain('root-keys-cli.ts create-root')
    const created = await create(fleet, admin, { kind: 'app', version: '1.0.0' }, new Uint8Array([1]))
    expect(created.status).toBe(503)
    expect(created.body.code).toBe('ERR_FLEET_UPDATES_NOT_INITIALISED')
    expect((await call(fleet, 'GET', '/api/kiosks', admin)).status).toBe(200)
  })
})

describe('DatabaseMetadataStore on PostgreSQL', () => {
  it('serialises two replicas publishing at once with the advisory lock: no version is lost', async () => {
    const keys = await createTestUpdateKeys()
    cleanups.push(() => keys.cleanup())
    const database = await createTestDatabase('postgres')
    cleanups.push(() => database.drop())
    const open = async () => {
      const db = await openPostgresDatabase({ url: database.config.url as string, schema: database.config.schema })
      cleanups.push(() => db.close())
      await migrate(db, quietLogger)
      return db
    }
    const dir = await tempDir('fleet-updates-')
    const signers = await loadOnlineSigners(keys.onlineKeysFile)
    const first = await TufRepository.initialize(
      new DatabaseMetadataStore(await open(), dir),
      keys.rootJson,
      signers,
      Date.now(),
    )
    const second = await TufRepository.open(new DatabaseMetadataStore(await open(), dir), signers)
    const writes = Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? first : second).addTarget(`app/r${i}.tar`, new Uint8Array([i]), Date.now()),
    )
    await Promise.all(writes)
    expect(await first.versions()).toEqual({ root: 1, targets: 7, snapshot: 7, timestamp: 7 })
    const store = new DatabaseMetadataStore(await open(), dir)
    const targets = JSON.parse((await store.readMetadata('targets.json')) ?? '{}') as { signed: { targets: object } }
    expect(Object.keys(targets.signed.targets).sort()).toEqual([
      'app/r0.tar',
      'app/r1.tar',
      'app/r2.tar',
      'app/r3.tar',
      'app/r4.tar',
      'app/r5.tar',
    ])
  })
})

describe('DatabaseMetadataStore', () => {
  it('keeps metadata in the table and blobs under hash-prefixed paths, refusing unsafe names', async () => {
    const db = await openPgliteDatabase(undefined)
    try {
      await migrate(db, quietLogger)
      const dir = await tempDir('tuf-store-')
      const store = new DatabaseMetadataStore(db, dir)
      await store.exclusive(async (view) => {
        await view.writeMetadata('1.targets.json', '{"a":1}')
        await view.writeTarget('app/abc.kiosk.tar', new Uint8Array([1, 2]))
      })
      expect(await store.readMetadata('1.targets.json')).toBe('{"a":1}')
      expect(await readFile(join(dir, 'targets', 'app', 'abc.kiosk.tar'))).toEqual(Buffer.from([1, 2]))
      expect(await store.readTarget('app/none')).toBeUndefined()
      await expect(store.writeMetadata('../x.json', '{}')).rejects.toThrow(/unsafe/)
      await expect(store.writeTarget('../../etc/passwd', new Uint8Array())).rejects.toThrow(/unsafe/)
      // A failed change writes no metadata (one transaction).
      await expect(
        store.exclusive(async (view) => {
          await view.writeMetadata('2.targets.json', '{}')
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await store.readMetadata('2.targets.json')).toBeUndefined()
    } finally {
      await db.close()
    }
  })
})

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Metadata, MetadataKind } from '@tufjs/models'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryMetadataStore } from './metadata-store.ts'
import {
  createDevelopmentUpdateKeys,
  loadOnlineSigners,
  RepositoryRefresher,
  setUpUpdateRepository,
} from './repository-setup.ts'
import { signNextRoot } from './root-metadata.ts'
import { createSigner, generateTufKeyPair, publicKeyOf, type TufKeyPairJson } from './tuf-keys.ts'
import { departmentPublisher } from './tuf-repository.ts'
import { DAY_MS, HOUR_MS } from './tuf-time.ts'

const logger = pino({ level: 'silent' })
const NOW = Date.parse('2026-11-01T00:00:00Z')
const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tuf-setup-'))
  dirs.push(dir)
  return dir
}

describe('update repository setup', () => {
  it('creates development keys once and initialises, then reopens, the repository from them', async () => {
    const dir = join(await temp(), 'dev-keys')
    const keys = await createDevelopmentUpdateKeys(dir, NOW)
    expect(keys.created).toBe(true)
    expect(await createDevelopmentUpdateKeys(dir, NOW)).toEqual({ ...keys, created: false })
    const store = new MemoryMetadataStore()
    const first = await setUpUpdateRepository({ store, ...keys, now: NOW, logger })
    expect(first).toMatchObject({ ready: true, initialised: true })
    const again = await setUpUpdateRepository({ store, ...keys, now: NOW, logger })
    expect(again).toMatchObject({ ready: true, initialised: false })
  })

  it('reports how to create a root when none is configured', async () => {
    const noKeys = await setUpUpdateRepository({ store: new MemoryMetadataStore(), now: NOW, logger })
    expect(noKeys).toMatchObject({ ready: false })
    expect(noKeys.ready === false && noKeys.reason).toContain('root-keys-cli.ts create-root')
    const keys = await createDevelopmentUpdateKeys(join(await temp(), 'k'), NOW)
    const noRoot = await setUpUpdateRepository({
      store: new MemoryMetadataStore(),
      onlineKeysFile: keys.onlineKeysFile,
      now: NOW,
      logger,
    })
    expect(noRoot.ready === false && noRoot.reason).toContain('updates.rootFile')
  })

  it('refuses a malformed online keys file with the file and role named', async () => {
    const dir = await temp()
    const file = join(dir, 'online-keys.json')
    await writeFile(file, '{"targets": {}}', { mode: 0o600 })
    await expect(loadOnlineSigners(file)).rejects.toThrow(/"targets" is not an ed25519 key pair/)
    await writeFile(file, 'nope')
    await chmod(file, 0o600)
    await expect(loadOnlineSigners(file)).rejects.toThrow(/not JSON/)
  })

  it('re-signs near expiry through the refresher, and a failing refresh is counted, not thrown', async () => {
    const keys = await createDevelopmentUpdateKeys(join(await temp(), 'k'), NOW)
    const store = new MemoryMetadataStore()
    const state = await setUpUpdateRepository({ store, ...keys, now: NOW, logger })
    if (!state.ready) throw new Error(state.reason)
    let now = NOW
    const refresher = new RepositoryRefresher(state.repo, { intervalMs: 60_000, clock: () => now, logger })
    await refresher.runOnce()
    now += 13 * HOUR_MS
    await refresher.runOnce()
    expect(refresher.stats).toMatchObject({ runs: 2, resigned: { targets: 0, snapshot: 0, timestamp: 1 }, failures: 0 })
    store.metadata.delete('timestamp.json')
    await refresher.runOnce()
    expect(refresher.stats.failures).toBe(1)
    expect(refresher.stats.lastError).toContain('timestamp.json')
  })

  it('warns from 60 days before root expires, and publishes a renewed root file at the next start', async () => {
    const dir = join(await temp(), 'k')
    const keys = await createDevelopmentUpdateKeys(dir, NOW)
    const store = new MemoryMetadataStore()
    await setUpUpdateRepository({ store, ...keys, now: NOW, logger })
    const records: Array<{ msg: string; daysLeft?: number; version?: number }> = []
    const capture = pino({ level: 'info' }, { write: (line: string) => records.push(JSON.parse(line)) })
    const warnings = () => records.filter((r) => r.msg.startsWith('TUF root expires soon'))
    const later = NOW + 310 * DAY_MS
    const first = await setUpUpdateRepository({ store, ...keys, now: later, logger: capture })
    if (!first.ready) throw new Error(first.reason)
    await new RepositoryRefresher(first.repo, { intervalMs: 60_000, clock: () => NOW, logger: capture }).runOnce()
    expect(warnings()).toEqual([])
    await new RepositoryRefresher(first.repo, { intervalMs: 60_000, clock: () => later, logger: capture }).runOnce()
    expect(warnings()).toMatchObject([{ daysLeft: 55 }])

    // The key holders renew root offline; the server is pointed at the new file and restarted.
    const rootKey = JSON.parse(await readFile(join(dir, 'root-key-1.json'), 'utf8')) as TufKeyPairJson
    const current = Metadata.fromJSON(MetadataKind.Root, JSON.parse(await readFile(keys.rootFile, 'utf8')))
    const renewedFile = join(dir, '2.root.json')
    await writeFile(renewedFile, JSON.stringify(signNextRoot({ current, signWith: [rootKey], now: later }).toJSON()))
    const renewed = await setUpUpdateRepository({ store, ...keys, rootFile: renewedFile, now: later, logger: capture })
    if (!renewed.ready) throw new Error(renewed.reason)
    expect(records.find((r) => r.msg === 'published the new root version')?.version).toBe(2)
    const refresher = new RepositoryRefresher(renewed.repo, { intervalMs: 60_000, clock: () => later, logger: capture })
    await refresher.runOnce()
    expect(warnings()).toHaveLength(1)
    expect(refresher.stats.rootExpires).toBe('2028-09-06T00:00:00Z')
  })

  it("warns from 60 days before a department's catalogue role expires", async () => {
    const keys = await createDevelopmentUpdateKeys(join(await temp(), 'k'), NOW)
    const store = new MemoryMetadataStore()
    const state = await setUpUpdateRepository({ store, ...keys, now: NOW, logger })
    if (!state.ready) throw new Error(state.reason)
    const tax = generateTufKeyPair()
    await state.repo.addVendor(departmentPublisher('tax'), [publicKeyOf(tax)], 1, NOW)
    const bundle = new TextEncoder().encode('{}')
    await state.repo.addVendorTarget(
      departmentPublisher('tax'),
      'catalogue/tax/tax-1.json',
      bundle,
      [createSigner(tax)],
      NOW,
    )
    const records: Array<{ msg: string; department?: string; daysLeft?: number }> = []
    const capture = pino({ level: 'info' }, { write: (line: string) => records.push(JSON.parse(line)) })
    const refresher = new RepositoryRefresher(state.repo, {
      intervalMs: 60_000,
      clock: () => NOW + 320 * DAY_MS,
      logger: capture,
    })
    await refresher.runOnce()
    expect(Object.keys(refresher.stats.departmentRoleExpires)).toEqual(['tax'])
    expect(records.filter((r) => r.msg.startsWith("a department's TUF role expires soon"))).toMatchObject([
      { department: 'tax', daysLeft: 45 },
    ])
  })
})

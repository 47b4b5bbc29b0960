import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryMetadataStore } from './metadata-store.ts'
import {
  createDevelopmentUpdateKeys,
  loadOnlineSigners,
  RepositoryRefresher,
  setUpUpdateRepository,
} from './repository-setup.ts'
import { HOUR_MS } from './tuf-time.ts'

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
    expect(refresher.stats).toMatchObject({ runs: 2, resigned: { snapshot: 0, timestamp: 1 }, failures: 0 })
    store.metadata.delete('timestamp.json')
    await refresher.runOnce()
    expect(refresher.stats.failures).toBe(1)
    expect(refresher.stats.lastError).toContain('timestamp.json')
  })
})

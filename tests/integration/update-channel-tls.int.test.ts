/**
 * The kiosk's update channel over HTTPS with a private CA (docs/operations.md "TLS"): TUF metadata
 * (tuf-js through UpdateChannelFetcher) and target downloads (target-downloader) both trust
 * `updates.tls.ca`, and refuse a fleet whose certificate that CA did not sign. A real TUF repository
 * on a real HTTPS server, with the run's test PKI (global-setup.ts); nothing in between is mocked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadTarget, TufErrorCodes, TufVerifier, UpdateErrorCodes, type UpdateHost } from '@kiosk/agent'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createUpdateService } from '../../kiosk/agent/src/updates/create-update-service.ts'
import { updateChannelFetch } from '../../kiosk/agent/src/updates/update-channel-fetch.ts'
import { quietLogger, testAgentConfig } from '../support/fleet.ts'
import { startUpdateRepo, type UpdateRepo } from '../support/update-repo.ts'

const pki = inject('testPki')
const RELEASE = new TextEncoder().encode('kiosk app 1.0.0, served over HTTPS only'.repeat(500))

let repo: UpdateRepo
let appPath: string
const dirs: string[] = []

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

beforeAll(async () => {
  repo = await startUpdateRepo(Date.now(), { tls: { cert: pki.serverCert, key: pki.serverKey } })
  appPath = await repo.addApp('1.0.0', RELEASE)
})
afterAll(async () => {
  await repo?.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** The update channel's fetch for `ca` (a PEM path), or node's own fetch (the system's CAs) without. */
function channel(ca?: string): typeof fetch {
  return updateChannelFetch({ fleetUrl: repo.fleetUrl, allowPlaintext: false, tls: ca === undefined ? {} : { ca } })
}

/** A kiosk's TUF client with the shipped root and its own metadata directory. */
function verifier(doFetch: typeof fetch): TufVerifier {
  const dir = tempDir('tls-tuf-kiosk-')
  return new TufVerifier({
    metadataBaseUrl: `${repo.fleetUrl}/updates/metadata/`,
    targetBaseUrl: `${repo.fleetUrl}/updates/targets/`,
    metadataDir: join(dir, 'metadata'),
    targetDir: join(dir, 'targets'),
    trustedRootFile: repo.writeRoot(dir),
    fetch: doFetch,
  })
}

describe('update channel over HTTPS with a private CA', () => {
  it('refreshes TUF metadata and downloads a target when updates.tls.ca names the CA', async () => {
    expect(repo.fleetUrl).toMatch(/^https:\/\/127\.0\.0\.1:/)
    const doFetch = channel(pki.ca)
    const found = await verifier(doFetch).targetInfo(appPath)
    if (!found.ok) throw new Error(`${found.error.code}: ${found.error.message}`)
    expect(found.value.url).toMatch(/^https:/)
    const destination = join(tempDir('tls-download-'), 'app.tar.gz')
    await downloadTarget(found.value, { fetch: doFetch, destination })
    expect(readFileSync(destination)).toEqual(Buffer.from(RELEASE))
  })

  it('refuses the fleet without the CA (the system trust) and with another CA, naming the certificate', async () => {
    const trusted = await verifier(channel(pki.ca)).targetInfo(appPath)
    if (!trusted.ok) throw new Error(trusted.error.message)
    for (const doFetch of [channel(), channel(pki.wrongCa)]) {
      const refreshed = await verifier(doFetch).refresh()
      expect(refreshed).toMatchObject({ ok: false, error: { code: TufErrorCodes.unreachable } })
      expect(refreshed.ok ? '' : refreshed.error.message).toMatch(/certificate/)
      const destination = join(tempDir('tls-download-'), 'app.tar.gz')
      await expect(downloadTarget(trusted.value, { fetch: doFetch, destination })).rejects.toMatchObject({
        code: UpdateErrorCodes.downloadFailed,
        message: expect.stringMatching(/certificate/),
      })
    }
  })

  it('wires updates.tls.ca from the kiosk config into the update agent', async () => {
    const dir = tempDir('tls-agent-')
    const config = (ca: string | undefined) =>
      testAgentConfig('tls-updates', 'mqtt://127.0.0.1:1', {
        dataDir: dir,
        updates: {
          enabled: true,
          fleetUrl: repo.fleetUrl,
          trustedRootFile: repo.writeRoot(dir),
          stateDir: join(dir, ca === undefined ? 'without-ca' : 'with-ca'),
          ...(ca === undefined ? {} : { tls: { ca } }),
        },
      })
    const withCa = createUpdateService({ config: config(pki.ca), host: idleHost, logger: quietLogger })
    expect(await withCa.refreshMetadata()).toBe(true)
    expect(withCa.health().metadataStale).toBe(false)
    const withoutCa = createUpdateService({ config: config(undefined), host: idleHost, logger: quietLogger })
    expect(await withoutCa.refreshMetadata()).toBe(false)
  })
})

/** An idle kiosk with no devices: only metadata refreshes are asked of it here. */
const idleHost: UpdateHost = {
  findDevice: () => undefined,
  deviceById: () => undefined,
  activity: () => ({ sessionActive: false, cardInReader: false, paperInPath: false }),
  holdService: () => undefined,
  releaseService: () => undefined,
  publish: () => undefined,
  restartAgent: () => undefined,
  appHealthy: async () => true,
  healthChanged: () => undefined,
  inventoryChanged: () => undefined,
}

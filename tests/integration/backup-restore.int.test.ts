/**
 * Backup and restore (docs/operations.md): a running fleet is backed up, then publishes newer
 * releases that a kiosk installs (so the kiosk trusts TUF metadata newer than the backup), then the
 * database and update directory are wiped and the backup restored with `fleet-server restore`. The
 * kiosk, with its newer trusted metadata, must accept the restored repository (re-signed above the
 * restore's version floor) and install a release published after the restore.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { type FleetServer, KioskCredentials, loadFleetConfig, startFleetServer } from '@fleet/server'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackup } from '../../fleet-server/server/src/backup/backup.ts'
import type { TufRepository } from '../../fleet-server/server/src/updates/index.ts'
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases.ts'
import { quietLogger, TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { freePort } from '../support/free-port.ts'
import { TEST_FLEET_MQTT, testKioskPassword } from '../support/kiosk-credentials.ts'
import { releaseTarball, type Supervised, startUpdatableKiosk } from '../support/updatable-kiosk.ts'
import { createTestUpdateKeys, testDeviceModels } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

const FLEET_BIN = resolve('fleet-server/server/bin/fleet-server.mjs')
const run = promisify(execFile)

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

interface Ports {
  http: number
  mqtt: number
}

/** The fleet settings both the server and the `fleet-server restore` command read. */
function settings(
  database: TestDatabase,
  updatesDir: string,
  ports: Ports,
  keys: { rootFile: string; onlineKeysFile: string },
) {
  return {
    http: { port: ports.http },
    mqtt: { embedded: { port: ports.mqtt }, clientId: 'fleet-backup-test', ...TEST_FLEET_MQTT },
    database: database.config,
    auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
    log: { level: 'silent' },
    updates: { dir: updatesDir, rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
  }
}

async function startFleet(file: Record<string, unknown>): Promise<FleetServer> {
  return startFleetServer(loadFleetConfig({ file }), quietLogger, { deviceModels: testDeviceModels() })
}

function repositoryOf(fleet: FleetServer): TufRepository {
  const repo = fleet.updates?.repository()
  if (repo === undefined || typeof repo === 'string') throw new Error(`no update repository: ${String(repo)}`)
  return repo
}

async function publishApp(fleet: FleetServer, version: string): Promise<string> {
  const path = `app/${version}/kiosk-app-${version}.tar.gz`
  await repositoryOf(fleet).addTarget(path, await releaseTarball(version, 16 * 1024), Date.now(), {
    kind: 'app',
    version,
  })
  return path
}

async function install(fleet: FleetServer, cookie: string, kioskId: string, version: string, target: string) {
  const response = await fetch(`${fleet.httpUrl}/api/kiosks/${kioskId}/commands/update`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({
      params: { deploymentId: `dep-${version}`, kind: 'app', target, version, install: { mode: 'immediate' } },
      timeoutMs: 15_000,
    }),
  })
  return (await response.json()) as { status: string; error?: { code: string } }
}

async function adminCookie(fleet: FleetServer): Promise<string> {
  const login = await fetch(`${fleet.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
  })
  const cookie = login.headers.get('set-cookie')?.split(';')[0]
  if (!login.ok || cookie === undefined) throw new Error(`admin login failed: ${login.status}`)
  return cookie
}

const trustedTimestampVersion = (kiosk: Supervised): number =>
  (
    JSON.parse(readFileSync(join(kiosk.dataDir, 'updates', 'metadata', 'timestamp.json'), 'utf8')) as {
      signed: { version: number }
    }
  ).signed.version

describe.each(DATABASE_KINDS)('backup and restore on %s', (kind) => {
  it('backup, wipe, restore: a kiosk that trusted newer metadata accepts the restored fleet and installs from it', async () => {
    const keys = await createTestUpdateKeys()
    cleanups.push(keys.cleanup)
    const ports = { http: await freePort(), mqtt: await freePort() }
    const kioskId = `bk-${kind}-01`

    // Fleet A: a kiosk with its own MQTT credential, and release 1.0.0 published.
    const dbA = await createTestDatabase(kind)
    const updatesA = mkdtempSync(join(tmpdir(), 'fleet-updates-a-'))
    cleanups.push(async () => rmSync(updatesA, { recursive: true, force: true }))
    let fleet = await startFleet(settings(dbA, updatesA, ports, keys))
    cleanups.push(() => fleet.stop())
    await new KioskCredentials(fleet.db).issue(kioskId, { password: testKioskPassword(kioskId) })
    await publishApp(fleet, '1.0.0')
    let cookie = await adminCookie(fleet)

    const backupDir = join(mkdtempSync(join(tmpdir(), 'fleet-backup-')), 'backup')
    cleanups.push(async () => rmSync(join(backupDir, '..'), { recursive: true, force: true }))
    const manifest = await createBackup({ db: fleet.db, updatesDir: updatesA, out: backupDir })
    expect(manifest.tables.kiosk_credentials).toBe(1)
    expect(manifest.blobs.files).toBe(1)

    // After the backup: 1.1.0 is published and installed, so the kiosk trusts newer metadata.
    const kiosk = await startUpdatableKiosk(kioskId, {
      mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
      fleetUrl: fleet.httpUrl,
      rootJson: keys.rootJson,
      online: async () => true,
    })
    cleanups.push(() => kiosk.stop())
    // Ingest now commits before it acknowledges: wait until the fleet has the kiosk's birth.
    await waitFor(
      'kiosk known to the fleet',
      async () => (await fleet.db.query('SELECT 1 FROM kiosks WHERE id = $1', [kioskId])).length === 1,
      60_000,
    )
    const later = await publishApp(fleet, '1.1.0')
    expect(await install(fleet, cookie, kioskId, '1.1.0', later)).toMatchObject({ status: 'ok' })
    await waitFor('kiosk runs 1.1.0', () => kiosk.agent.appVersion === '1.1.0', 60_000)
    const seen = trustedTimestampVersion(kiosk)
    expect(seen).toBeGreaterThan(manifest.tufVersions.timestamp ?? Number.POSITIVE_INFINITY)

    // Disaster: the database and the update directory are gone.
    await fleet.stop()
    await dbA.drop()
    rmSync(updatesA, { recursive: true, force: true })

    const dbB = await createTestDatabase(kind)
    cleanups.push(() => dbB.drop())
    const updatesB = mkdtempSync(join(tmpdir(), 'fleet-updates-b-'))
    cleanups.push(async () => rmSync(updatesB, { recursive: true, force: true }))
    const restored = await run(process.execPath, [FLEET_BIN, 'restore', '--from', backupDir], {
      env: { ...process.env, ...flatEnv(settings(dbB, updatesB, ports, keys)) },
    })
    expect(restored.stdout).toContain('TUF version floor')

    // The backup holds older versions than the kiosk trusts (checked above); the server re-signs above the floor.
    fleet = await startFleet(settings(dbB, updatesB, ports, keys))
    const versions = await repositoryOf(fleet).versions()
    expect(versions.timestamp).toBeGreaterThan(seen)
    expect(versions.snapshot).toBeGreaterThan(manifest.tufVersions.snapshot ?? 0)

    // The kiosk reconnects with its restored credential, accepts the repository and installs 1.2.0.
    cookie = await adminCookie(fleet)
    // The kiosk answers commands on the restored fleet's broker (the fleet may first replay reports
    // of the kiosk's old session that the broker kept, so its stored state alone does not say so).
    await waitFor(
      'kiosk answers the restored fleet',
      async () => {
        const ping = await fetch(`${fleet.httpUrl}/api/kiosks/${kioskId}/commands/ping`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          // A probe: an answer now, not a command queued while the kiosk looks offline.
          body: JSON.stringify({ timeoutMs: 2000, queue: false }),
        })
        return ping.status === 200
      },
      60_000,
      500,
    )
    const after = await publishApp(fleet, '1.2.0')
    // The kiosk may still be checking the health of 1.1.0: busy is an answer to try again on.
    const answer = await waitFor(
      'install of 1.2.0 accepted',
      async () => {
        const a = await install(fleet, cookie, kioskId, '1.2.0', after)
        return a.error?.code === 'ERR_KIOSK_UPDATE_BUSY' ? undefined : a
      },
      60_000,
      1000,
    )
    expect(answer).toMatchObject({ status: 'ok' })
    await waitFor('kiosk runs 1.2.0', () => kiosk.agent.appVersion === '1.2.0', 60_000)
    expect(trustedTimestampVersion(kiosk)).toBeGreaterThan(seen)

    // The audit chain came back whole, with the re-signing recorded.
    const audit = await fleet.app.inject({
      method: 'GET',
      url: '/api/audit?action=updates.restore.resign',
      headers: { cookie },
    })
    expect(audit.json()).toMatchObject({ entries: [expect.objectContaining({ action: 'updates.restore.resign' })] })
  }, 240_000)
})

/** Settings as FLEET_* variables (nested keys joined by `__`), as an operator's environment gives them. */
function flatEnv(value: Record<string, unknown>, prefix = 'FLEET'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, v] of Object.entries(value)) {
    const name = `${prefix}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(out, flatEnv(v as Record<string, unknown>, `${name}_`))
    } else if (v !== undefined) {
      out[name] = typeof v === 'string' ? v : JSON.stringify(v)
    }
  }
  return out
}

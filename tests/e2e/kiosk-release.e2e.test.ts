/**
 * The real kiosk release, end to end and built: `buildKioskRelease` (what `npm run release:kiosk`
 * runs) makes the artifact — release.json, the agent bundle, the citizen UI, the node_modules with
 * this machine's native bindings — the built fleetctl pushes it to the built fleet-server, which
 * signs it into its TUF targets, and a rollout installs it on two kiosks running under the built
 * launcher. They come back healthy on it, serving the release's own UI. Then a deliberately broken
 * release (its agent cannot load) is rolled out: the launcher rolls it back, the rollout halts, and
 * the kiosks run the good release again. No tsx anywhere in the processes under test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildKioskRelease, type KioskRelease } from '../../scripts/release/kiosk-release.ts'
import {
  type BuiltApps,
  type BuiltFleet,
  buildApps,
  enrolBuiltKiosk,
  runBuilt,
  startBuiltFleet,
} from '../support/built-apps.ts'
import { testAgentConfig } from '../support/fleet.ts'
import { LauncherProcess } from '../support/kiosk-process.ts'
import { createTestUpdateKeys, type TestUpdateKeys } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

// Two kiosks and a fleet as separate processes on a shared two-core machine: generous bounds only.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 })

const BASE = '9.0.0'
const GOOD = '9.1.0'
const BROKEN = '9.2.0'
const KIOSKS = ['rel-01', 'rel-02']
const LEAD_PASSWORD = 'lead-password-123'

interface RolloutDetail {
  id: string
  status: string
  statusReason: string | null
}

describe('npm run release:kiosk: a real release rolled out to kiosks under the launcher', () => {
  let apps: BuiltApps
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let fleet: BuiltFleet
  let releasesDir: string
  let good: KioskRelease
  let broken: KioskRelease
  let token: string
  let leadCookie: string
  const launchers = new Map<string, LauncherProcess>()
  const dataDirs = new Map<string, string>()

  const kiosk = async (id: string) =>
    (await fleet.api<{ state?: string; appVersion?: string | null }>(`/api/kiosks/${id}`)).body
  const untilRollout = (id: string, status: string) =>
    waitFor(
      `rollout ${id} ${status}`,
      async () => {
        const d = (await fleet.api<RolloutDetail>(`/api/rollouts/${id}`)).body
        if (['completed', 'halted', 'aborted'].includes(d.status) && d.status !== status) {
          const rows = (await deployments(id)).map((r) => `${r.kioskId} ${r.state} ${r.errorCode ?? ''}`)
          throw new Error(`rollout ended ${d.status}: ${d.statusReason ?? ''} (${rows.join('; ')})`)
        }
        return d.status === status ? d : undefined
      },
      480_000,
      500,
    )
  const deployments = async (id: string) =>
    (
      await fleet.api<{ kiosks: Array<{ kioskId: string; state: string; errorCode: string | null }> }>(
        `/api/rollouts/${id}/kiosks?limit=100`,
      )
    ).body.kiosks

  /** The built fleetctl pushes the artifact; the fleet signs it. Returns the artifact id. */
  function push(release: KioskRelease): string {
    const run = runBuilt(
      apps,
      'fleetctl',
      ['artifacts', 'push', release.file, '--kind', 'app', '--version', release.version, '--json'],
      { FLEETCTL_SERVER: fleet.httpUrl, FLEETCTL_TOKEN: token },
    )
    expect(run.status, run.stderr).toBe(0)
    const artifact = JSON.parse(run.stdout) as { id: string; status: string; sha256: string }
    expect(artifact.status).toBe('ready')
    expect(artifact.sha256).toBe(release.sha256)
    return artifact.id
  }

  async function rollout(artifactId: string, name: string): Promise<string> {
    const approval = await fleet.api(`/api/artifacts/${artifactId}/approvals`, {
      method: 'POST',
      body: JSON.stringify({ department: 'public-security' }),
    })
    expect(approval.status, JSON.stringify(approval.body)).toBe(200)
    const created = await fleet.api<RolloutDetail>('/api/rollouts', {
      method: 'POST',
      body: JSON.stringify({
        name,
        artifactId,
        groups: [{ percent: 100 }],
        successThreshold: 1,
        errorThreshold: 0.5,
        errorMinSample: 1,
        installMode: 'immediate',
        kioskTimeoutMs: 400_000,
      }),
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id
    const approved = await fetch(`${fleet.httpUrl}/api/rollouts/${id}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: leadCookie },
      body: '{}',
    })
    expect(approved.status, await approved.clone().text()).toBe(200)
    const started = await fleet.api(`/api/rollouts/${id}/start`, { method: 'POST', body: '{}' })
    expect(started.status, JSON.stringify(started.body)).toBe(200)
    return id
  }

  const uiServes = async (kioskId: string, text: RegExp) => {
    const url = readFileSync(join(dataDirs.get(kioskId) as string, 'ui-url'), 'utf8').trim()
    const page = await fetch(url)
    return page.ok && text.test(await page.text())
  }

  beforeAll(async () => {
    apps = await buildApps()
    releasesDir = mkdtempSync(join(tmpdir(), 'kiosk-releases-'))
    good = await buildKioskRelease({ version: GOOD, outDir: releasesDir, buildDir: apps.dir })
    broken = await buildKioskRelease({
      version: BROKEN,
      outDir: releasesDir,
      buildDir: apps.dir,
      agentOverride: "throw new Error('release 9.2.0 cannot load')\n",
    })
    keys = await createTestUpdateKeys()
    const updatesDir = mkdtempSync(join(tmpdir(), 'fleet-updates-'))
    fleet = await startBuiltFleet(apps, {
      FLEET_UPDATES__DIR: updatesDir,
      FLEET_UPDATES__ROOT_FILE: keys.rootFile,
      FLEET_UPDATES__ONLINE_KEYS_FILE: keys.onlineKeysFile,
      FLEET_ROLLOUTS__TICK_MS: '250',
    })
    const lead = await fleet.api('/api/users', {
      method: 'POST',
      body: JSON.stringify({ id: 'it-lead', displayName: 'IT lead', password: LEAD_PASSWORD, role: 'admin' }),
    })
    expect(lead.status, JSON.stringify(lead.body)).toBe(201)
    const login = await fetch(`${fleet.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'it-lead', password: LEAD_PASSWORD }),
    })
    leadCookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    token = await fleet.token('admin', '')

    const trustedRootFile = join(mkdtempSync(join(tmpdir(), 'kiosk-root-')), 'root.json')
    writeFileSync(trustedRootFile, keys.rootJson)
    for (const kioskId of KIOSKS) {
      const credentials = await enrolBuiltKiosk(apps, fleet, kioskId)
      const config = testAgentConfig(kioskId, credentials.mqtt.url, {
        mqtt: { username: credentials.mqtt.username, password: credentials.mqtt.password },
        appVersion: BASE,
        healthIntervalMs: 5000,
        ui: { enabled: true, port: 0 },
        log: { level: 'info' },
      })
      dataDirs.set(kioskId, config.dataDir)
      const configFile = join(config.dataDir, 'kiosk.json')
      const updates = {
        enabled: true,
        fleetUrl: fleet.httpUrl,
        trustedRootFile,
        gatePollMs: 200,
        downloadRetryMs: 500,
        healthCheckTimeoutMs: 60_000,
      }
      writeFileSync(configFile, JSON.stringify({ ...config, updates }))
      launchers.set(kioskId, new LauncherProcess(configFile, { entry: apps.bin('kiosk-launcher'), nodeArgs: [] }))
    }
  })

  afterAll(async () => {
    for (const launcher of launchers.values()) {
      await Promise.race([launcher.stop(), new Promise((r) => setTimeout(r, 10_000))])
      launcher.killGroup()
    }
    await fleet?.stop()
    await keys?.cleanup()
    apps?.cleanup()
    if (releasesDir) rmSync(releasesDir, { recursive: true, force: true })
    for (const dir of dataDirs.values()) rmSync(dir, { recursive: true, force: true })
  })

  it('the release carries the launcher layout: release.json naming the agent bundle, the UI and native modules', () => {
    expect(good.bytes).toBeGreaterThan(1_000_000)
    expect(good.file).toMatch(/kiosk-app-9\.1\.0\.tar\.gz$/)
  })

  it('rolls the real release out to kiosks under the launcher, then rolls a broken one back', async () => {
    for (const kioskId of KIOSKS) {
      await waitFor(
        `${kioskId} online on the image`,
        async () => (await kiosk(kioskId)).state === 'online',
        300_000,
        500,
      )
      expect((await kiosk(kioskId)).appVersion).toBe(BASE)
    }

    // 1. The real release: pushed, signed by the fleet, rolled out, every kiosk healthy on it.
    const goodRollout = await rollout(push(good), `kiosk app ${GOOD}`)
    await untilRollout(goodRollout, 'completed')
    for (const kioskId of KIOSKS) {
      const launcher = launchers.get(kioskId) as LauncherProcess
      const view = await waitFor(
        `${kioskId} online on ${GOOD}`,
        async () => {
          const v = await kiosk(kioskId)
          return v.state === 'online' && v.appVersion === GOOD ? v : undefined
        },
        120_000,
        500,
      )
      expect(view.appVersion).toBe(GOOD)
      const starts = launcher.launcherLogs().filter((r) => r.msg === 'starting the agent')
      expect(starts.at(-1)).toMatchObject({
        release: GOOD,
        entry: join(dataDirs.get(kioskId) as string, 'app', 'current', 'bin', 'kiosk-agent.mjs'),
      })
      // The release's own citizen UI, served by the release's agent.
      await waitFor(`${kioskId} serves the UI of ${GOOD}`, () => uiServes(kioskId, /<html/i), 60_000, 500)
    }
    const goodRows = await deployments(goodRollout)
    expect(goodRows.map((r) => r.state)).toEqual(['succeeded', 'succeeded'])

    // 2. A release whose agent cannot load: crash loop on trial → rolled back by the launcher.
    const brokenRollout = await rollout(push(broken), `kiosk app ${BROKEN}`)
    const halted = await untilRollout(brokenRollout, 'halted')
    expect(halted.statusReason).toMatch(/failed/)
    const rolledBack = await waitFor(
      'a kiosk rolled back',
      async () => (await deployments(brokenRollout)).filter((r) => r.errorCode === 'ERR_KIOSK_UPDATE_CRASH_LOOP'),
      300_000,
      500,
    )
    expect(rolledBack.length).toBeGreaterThan(0)
    for (const row of rolledBack) {
      const report = await waitFor(
        `${row.kioskId} back on ${GOOD}`,
        async () => {
          const v = await kiosk(row.kioskId)
          return v.state === 'online' && v.appVersion === GOOD ? v : undefined
        },
        120_000,
        500,
      )
      expect(report.appVersion).toBe(GOOD)
      expect(
        launchers
          .get(row.kioskId)
          ?.launcherLogs()
          .some((r) => r.msg.includes('rolled back')),
      ).toBe(true)
    }
    const states = await deployments(brokenRollout)
    expect(states.some((r) => r.state === 'succeeded')).toBe(false)
  })
})

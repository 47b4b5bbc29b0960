/**
 * `fleetctl rollouts …` against a real fleet-server (update repository and rollout engine wired in)
 * with simulated kiosks on its embedded broker that answer `update` and report their deployments
 * over MQTT as the kiosk's update agent does: preview, create, four-eyes approval, start, `status
 * --watch` until the end (exit 0), a failing fleet halting it (exit 6), pause/resume and abort (exit 7).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FleetServer, KioskCredentials } from '@fleet/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testAppReleaseOfSize } from '../support/artifact-bytes.ts'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { type FleetctlRun, runFleetctl, startFleetctl } from '../support/fleetctl-bin.ts'
import { type SimBehaviour, SimKiosk } from '../support/rollout-sim.ts'
import { createTestUpdateKeys, startUpdateFleet, type TestUpdateKeys, testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

const fleetctl = runFleetctl

describe('fleetctl rollouts against a fleet-server with simulated kiosks', () => {
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let database: TestDatabase
  let fleet: FleetServer
  const work = mkdtempSync(join(tmpdir(), 'fleetctl-rollouts-'))
  const kiosks: SimKiosk[] = []
  let ada: Record<string, string>
  let ben: Record<string, string>
  let police: Record<string, string>
  const envOf = (auth: { authorization: string }, name: string) => ({
    FLEETCTL_SERVER: fleet.httpUrl,
    FLEETCTL_TOKEN: auth.authorization.replace(/^Bearer /, ''),
    FLEETCTL_CONFIG: join(work, name, 'config.json'),
  })

  /** Connects `n` simulated kiosks of public security running `appVersion`. */
  async function simKiosks(prefix: string, n: number, appVersion: string, behaviour: SimBehaviour) {
    const credentials = new KioskCredentials(fleet.db)
    const made: SimKiosk[] = []
    for (let i = 1; i <= n; i++) {
      const kioskId = `${prefix}-${String(i).padStart(2, '0')}`
      const password = `${kioskId}-mqtt-password`
      await credentials.issue(kioskId, { password })
      const kiosk = new SimKiosk(fleet.mqttUrl, kioskId, { appVersion }, behaviour, { username: kioskId, password })
      await kiosk.connect()
      kiosks.push(kiosk)
      made.push(kiosk)
    }
    await waitFor(`${prefix} kiosks online`, async () => {
      const rows = await fleet.db.query<{ id: string }>(
        `SELECT id FROM kiosks WHERE id LIKE $1 AND state = 'online' AND app_version = $2`,
        [`${prefix}-%`, appVersion],
      )
      return rows.length === n
    })
    return made
  }

  /** An app release pushed with fleetctl and approved for public security with fleetctl. */
  async function approvedApp(version: string): Promise<string> {
    const path = join(work, `kiosk-app-${version}.tar.gz`)
    writeFileSync(path, testAppReleaseOfSize(version, 20_000))
    const pushed = await fleetctl(['artifacts', 'push', path, '--kind', 'app', '--version', version, '--json'], ada)
    expect(pushed.code, pushed.stderr).toBe(0)
    const id = (JSON.parse(pushed.stdout) as { id: string }).id
    const approved = await fleetctl(['artifacts', 'approve', id, '--department', 'public-security'], police)
    expect(approved.code, approved.stderr).toBe(0)
    return id
  }

  beforeAll(async () => {
    keys = await createTestUpdateKeys()
    database = await createTestDatabase('pglite')
    fleet = await startUpdateFleet({ database, updatesDir: join(work, 'repo'), keys })
    ada = envOf(await testUser(fleet, 'ada', 'admin'), 'ada')
    ben = envOf(await testUser(fleet, 'ben', 'admin'), 'ben')
    police = envOf(await testUser(fleet, 'police-it', 'department', { departments: ['public-security'] }), 'police')
  })
  afterEach(async () => {
    for (const k of kiosks.splice(0)) await k.disconnect().catch(() => undefined)
  })
  afterAll(async () => {
    await fleet?.stop()
    await database?.drop()
    await keys?.cleanup()
    rmSync(work, { recursive: true, force: true })
  })

  it('previews, creates, needs a second person to approve, starts, and status --watch follows it to completion', async () => {
    const artifact = await approvedApp('2.0.0')
    // The kiosks download, then wait for their maintenance window until the test opens it.
    const fleetOk = await simKiosks('ro-ok', 5, '1.0.0', 'waitForWindow')
    const create = [
      'rollouts',
      'create',
      '--artifact',
      artifact,
      '--name',
      'kiosk app 2.0.0',
      '--departments',
      'public-security',
      '--app-versions',
      '1.0.0',
      '--groups',
      '1,100%',
      '--success',
      '100%',
      '--error',
      '0.5',
      '--min-sample',
      '2',
      '--window',
      '--timeout',
      '10m',
    ]
    const preview = await fleetctl([...create, '--preview', '--json'], ada)
    expect(preview.code, preview.stderr).toBe(0)
    expect(JSON.parse(preview.stdout)).toMatchObject({ selected: 5, groups: [1, 4] })
    const previewText = await fleetctl([...create, '--preview'], ada)
    expect(previewText.stdout).toMatch(/^5 kiosk\(s\) selected/)
    expect(previewText.stdout).toContain('groups: 1: 1 · 2: 4')

    const created = await fleetctl(create, ada)
    expect(created.code, created.stderr).toBe(0)
    const id = /^(\S+) created \(awaitingApproval\): 5 kiosk\(s\) in 2 group\(s\)/.exec(created.stdout)?.[1] as string
    expect(id).toBeDefined()
    expect(created.stdout).toContain(`fleetctl rollouts approve ${id}`)

    // Four eyes: the creator may not approve, and nothing starts before approval.
    const self = await fleetctl(['rollouts', 'approve', id], ada)
    expect(self.code).not.toBe(0)
    expect(self.stderr).toMatch(/ERR_FLEET_\w+/)
    expect((await fleetctl(['rollouts', 'start', id], ada)).code).not.toBe(0)
    expect(await fleetctl(['rollouts', 'approve', id], ben)).toMatchObject({ code: 0, stdout: `${id} approved\n` })
    expect(await fleetctl(['rollouts', 'start', id], ada)).toMatchObject({ code: 0, stdout: `${id} running\n` })

    const watch = startFleetctl(['rollouts', 'status', id, '--watch', '--interval', '300ms'], ada)
    // The first screen shows the first group's kiosk waiting for its window.
    await waitFor('watch shows a kiosk waiting', async () => /downloaded\s+\S*\s*outsideWindow/.test(watch.stdout()))
    // Open the window for whoever is waiting (the second group is notified once the first succeeded).
    let watched: FleetctlRun | undefined
    void watch.exited.then((run) => {
      watched = run
    })
    await waitFor('watch ends', async () => {
      for (const k of fleetOk) await k.windowOpens()
      return watched
    })
    if (watched === undefined) throw new Error('unreachable')
    expect(watched.code, watched.stderr).toBe(0)
    const final = watched.stdout.split('\n\n').slice(-3).join('\n\n')
    expect(final).toMatch(new RegExp(`${id}\\s+kiosk app 2\\.0\\.0\\s+COMPLETED`))
    expect(final).toMatch(/group 1 \(1\) █+ 100%\s+1\/1 succeeded/)
    expect(final).toMatch(/group 2 \(100%\) █+ 100%\s+4\/4 succeeded/)
    expect(final).toMatch(/KIOSK\s+GROUP\s+STATE\s+PROGRESS\s+BLOCKED BY\s+ERROR/)
    expect(final.match(/ro-ok-\d\d\s+[12]\s+succeeded/g)).toHaveLength(5)
    // Not a terminal: --watch printed a new screen per change, from RUNNING to COMPLETED.
    expect(watched.stdout).toMatch(/kiosk app 2\.0\.0\s+RUNNING[\s\S]*kiosk app 2\.0\.0\s+COMPLETED/)

    const listed = await fleetctl(['rollouts', 'list'], police)
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ARTIFACT\s+STATUS\s+GROUP/)
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+kiosk app 2\\.0\\.0\\s+${artifact}\\s+completed`))
    const json = JSON.parse((await fleetctl(['rollouts', 'status', id, '--json'], ada)).stdout)
    expect(json).toMatchObject({
      id,
      status: 'completed',
      groupProgress: [
        { size: 1, succeeded: 1 },
        { size: 4, succeeded: 4 },
      ],
    })
  })

  it('status exits 6 when failures halt the rollout', async () => {
    const artifact = await approvedApp('2.0.1')
    await simKiosks('ro-bad', 4, '1.0.1', 'fail')
    const created = await fleetctl(
      [
        'rollouts',
        'create',
        '--artifact',
        artifact,
        '--name',
        'bad release',
        '--app-versions',
        '1.0.1',
        '--groups',
        '100%',
        '--error',
        '0.5',
        '--min-sample',
        '2',
        '--immediate',
        '--timeout',
        '10m',
        '--json',
      ],
      ada,
    )
    expect(created.code, created.stderr).toBe(0)
    const { id } = JSON.parse(created.stdout) as { id: string }
    await fleetctl(['rollouts', 'approve', id], ben)
    await fleetctl(['rollouts', 'start', id], ada)
    const watched = await fleetctl(['rollouts', 'status', id, '--watch', '--interval', '300ms', '--no-kiosks'], ada)
    expect(watched.code).toBe(6)
    expect(watched.stdout).toMatch(new RegExp(`${id}\\s+bad release\\s+HALTED`))
    expect(watched.stdout).not.toContain('KIOSK')
    // Without --watch the exit code says the same.
    expect((await fleetctl(['rollouts', 'status', id], ada)).code).toBe(6)
  })

  it('pauses, resumes and aborts; status of an aborted rollout exits 7 and shows the kiosks cancelled', async () => {
    const artifact = await approvedApp('2.0.2')
    await simKiosks('ro-wait', 3, '1.0.2', 'waitForWindow')
    const created = await fleetctl(
      [
        'rollouts',
        'create',
        '--artifact',
        artifact,
        '--name',
        'window release',
        '--app-versions',
        '1.0.2',
        '--groups',
        '100%',
        '--window',
        '--timeout',
        '10m',
        '--json',
      ],
      ada,
    )
    const { id } = JSON.parse(created.stdout) as { id: string }
    await fleetctl(['rollouts', 'approve', id], ben)
    await fleetctl(['rollouts', 'start', id], ada)
    await waitFor('kiosks downloaded and waiting for their window', async () => {
      const out = await fleetctl(['rollouts', 'status', id], ada)
      return (out.stdout.match(/downloaded\s+\S*\s*outsideWindow/g) ?? []).length === 3 ? out : undefined
    })
    expect(await fleetctl(['rollouts', 'pause', id, '--reason', 'citizen complaints'], ada)).toMatchObject({
      code: 0,
      stdout: `${id} paused\n`,
    })
    expect((await fleetctl(['rollouts', 'resume', id], police)).stdout).toBe(`${id} running\n`)
    expect((await fleetctl(['rollouts', 'abort', id], ada)).stdout).toBe(`${id} aborted\n`)
    const status = await fleetctl(['rollouts', 'status', id], ada)
    expect(status.code).toBe(7)
    expect(status.stdout).toMatch(/ABORTED/)
    expect(status.stdout.match(/ro-wait-\d\d\s+1\s+cancelled/g)).toHaveLength(3)
    expect((await fleetctl(['rollouts', 'status', 'ro_nothing'], ada)).code).toBe(4)
  })

  it('refuses bad options before calling the server', async () => {
    for (const [flag, value, message] of [
      ['--groups', '50%,25%', 'must not go down'],
      ['--success', '1.5', 'fraction'],
      ['--timeout', 'soon', 'duration'],
    ] as const) {
      const run = await fleetctl(['rollouts', 'create', '--artifact', 'art_x', '--name', 'n', flag, value], ada)
      expect(run.code, flag).toBe(2)
      expect(run.stderr).toContain(message)
    }
    const both = await fleetctl(
      ['rollouts', 'create', '--artifact', 'art_x', '--name', 'n', '--window', '--immediate'],
      ada,
    )
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining('--window and --immediate') })
  })
})

import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testAgentConfig } from '../support/fleet.ts'
import { KioskProcessSupervisor } from '../support/kiosk-process.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { releaseTarball } from '../support/updatable-kiosk.ts'
import { startUpdateRepo, type UpdateRepo } from '../support/update-repo.ts'
import { waitFor } from '../support/wait-for.ts'

let stack: TestStack
let repo: UpdateRepo
let capture: MqttCapture

beforeAll(async () => {
  stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
  capture = await captureMqtt(stack.mqttUrl)
  repo = await startUpdateRepo()
})
afterAll(async () => {
  await repo?.stop()
  await capture?.close()
  await stack?.stop()
})

function reports(kioskId: string, deploymentId: string): DeploymentStatusPayload[] {
  const topic = `kiosk/v1/${kioskId}/deployments/${deploymentId}`
  return capture.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as DeploymentStatusPayload)
}

describe('kiosk killed during an app update', () => {
  it('recovers to one consistent release after SIGKILL while installing', async () => {
    const kioskId = 'upd-kill-01'
    const target = await repo.addApp('2.6.0', await releaseTarball('2.6.0', 2 * 1024 * 1024))
    const config = testAgentConfig(kioskId, stack.mqttUrl, { ui: { enabled: false } })
    const trustedRootFile = repo.writeRoot(mkdtempSync(join(tmpdir(), 'kiosk-root-')))
    const configFile = join(mkdtempSync(join(tmpdir(), 'kiosk-conf-')), 'kiosk.json')
    writeFileSync(
      configFile,
      JSON.stringify({
        ...config,
        updates: { enabled: true, fleetUrl: repo.fleetUrl, trustedRootFile, gatePollMs: 100, downloadRetryMs: 100 },
      }),
    )
    const supervisor = new KioskProcessSupervisor(configFile)
    supervisor.start()
    try {
      await waitFor(
        'kiosk online',
        async () => (await stack.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).state === 'online',
        60_000,
      )
      const answer = await stack.api<{ status: string; data?: { outcome: string } }>(
        `/api/kiosks/${kioskId}/commands/update`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            params: {
              deploymentId: 'dep-kill-1',
              kind: 'app',
              target,
              version: '2.6.0',
              install: { mode: 'immediate' },
            },
            timeoutMs: 15_000,
          }),
        },
      )
      expect(answer).toMatchObject({ status: 'ok', data: { outcome: 'accepted' } })

      // The power goes out as soon as the kiosk says it is installing.
      await waitFor('installing', () => reports(kioskId, 'dep-kill-1').some((r) => r.state === 'installing'), 60_000)
      supervisor.kill()

      const done = await waitFor(
        'the deployment ends',
        () => reports(kioskId, 'dep-kill-1').find((r) => r.state === 'success' || r.state === 'rolledBack'),
        90_000,
      )
      expect(done).toMatchObject({ state: 'success', version: '2.6.0' })
      // The plug was pulled once. Whether a restart request (exit 75) follows depends on where the
      // kill landed: before `rebooting` is on disk the resumed agent installs again and asks for a
      // restart; after it, the power loss was the restart. Any other exit would be a crash.
      expect(supervisor.exits.filter((e) => e === 'SIGKILL')).toHaveLength(1)
      expect(supervisor.exits.filter((e) => e !== 'SIGKILL' && e !== 75)).toEqual([])

      // One consistent release: current names a complete release, no half-unpacked staging left.
      const appDir = join(config.dataDir, 'app')
      expect(lstatSync(join(appDir, 'current')).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(appDir, 'current'))).toBe('releases/2.6.0')
      expect(JSON.parse(readFileSync(join(appDir, 'current', 'release.json'), 'utf8'))).toEqual({ version: '2.6.0' })
      expect(readdirSync(join(appDir, 'releases')).filter((n) => n.startsWith('.staging-'))).toEqual([])
      expect(existsSync(join(config.dataDir, 'updates', 'downloads', `${target}.part`))).toBe(false)
      const ping = await stack.api<{ data?: { appVersion?: string } }>(`/api/kiosks/${kioskId}/commands/ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params: {}, timeoutMs: 15_000 }),
      })
      expect(ping.data?.appVersion).toBe('2.6.0')
    } finally {
      await supervisor.stop()
    }
  }, 240_000)
})

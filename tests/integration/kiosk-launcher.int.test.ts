import { existsSync, lstatSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testAgentConfig } from '../support/fleet.ts'
import { LauncherProcess } from '../support/kiosk-process.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { releaseTarball } from '../support/updatable-kiosk.ts'
import { startUpdateRepo, type UpdateRepo } from '../support/update-repo.ts'
import { waitFor } from '../support/wait-for.ts'

const AGENT_MAIN = pathToFileURL(join(import.meta.dirname, '../../kiosk/agent/src/main.ts')).href
/** A release whose own entry starts the agent (as a real release's built agent would). */
const WORKING = `await import(${JSON.stringify(AGENT_MAIN)})\n`
/** A release that cannot even load: it never reaches the health check that would roll it back. */
const BROKEN = `throw new Error('this release cannot load')\n`

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

describe('the kiosk launcher runs the current release and rolls back one that cannot start', () => {
  it('a first release that cannot load goes back to the image; a working one runs; a later broken one goes back to it', async () => {
    const kioskId = 'launch-01'
    const config = testAgentConfig(kioskId, stack.mqttUrl, { ui: { enabled: false }, log: { level: 'info' } })
    const trustedRootFile = repo.writeRoot(mkdtempSync(join(tmpdir(), 'kiosk-root-')))
    const configFile = join(mkdtempSync(join(tmpdir(), 'kiosk-conf-')), 'kiosk.json')
    writeFileSync(
      configFile,
      JSON.stringify({
        ...config,
        updates: { enabled: true, fleetUrl: repo.fleetUrl, trustedRootFile, gatePollMs: 100, downloadRetryMs: 100 },
      }),
    )
    const appDir = join(config.dataDir, 'app')
    const launcher = new LauncherProcess(configFile)

    const appVersion = async () =>
      (
        await stack.api<{ data?: { appVersion?: string } }>(`/api/kiosks/${kioskId}/commands/ping`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ params: {}, timeoutMs: 15_000 }),
        })
      ).data?.appVersion
    const update = async (deploymentId: string, version: string, agentSource: string) => {
      const target = await repo.addApp(version, await releaseTarball(version, 64 * 1024, agentSource))
      const answer = await stack.api<{ status: string; data?: { outcome: string } }>(
        `/api/kiosks/${kioskId}/commands/update`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            params: { deploymentId, kind: 'app', target, version, install: { mode: 'immediate' } },
            timeoutMs: 15_000,
          }),
        },
      )
      expect(answer).toMatchObject({ status: 'ok', data: { outcome: 'accepted' } })
      const topic = `kiosk/v1/${kioskId}/deployments/${deploymentId}`
      return waitFor(
        `${deploymentId} ends`,
        () =>
          capture.messages
            .filter((m) => m.topic === topic)
            .map((m) => JSON.parse(m.payload) as DeploymentStatusPayload)
            .find((r) => r.state === 'success' || r.state === 'rolledBack'),
        120_000,
      )
    }
    const started = () =>
      launcher.launcherLogs().filter((r) => r.msg === 'starting the agent') as unknown as Array<{
        release: string
        entry: string
      }>

    try {
      await waitFor(
        'kiosk online',
        async () => (await stack.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).state === 'online',
        60_000,
      )
      expect(started()[0]?.release).toBe('image')

      // 1. The first release cannot load: three crashes on trial, then back to the image's own agent.
      const first = await update('dep-l1', '2.5.0', BROKEN)
      expect(first).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP' })
      expect(existsSync(join(appDir, 'current'))).toBe(false)
      expect(await appVersion()).toBe(config.appVersion)
      expect(started().filter((r) => r.release === '2.5.0')).toHaveLength(3)
      expect(launcher.launcherLogs().some((r) => r.msg.includes('rolled back'))).toBe(true)

      // 2. A working release runs from its own entry.
      expect(await update('dep-l2', '2.6.0', WORKING)).toMatchObject({ state: 'success', version: '2.6.0' })
      expect(await appVersion()).toBe('2.6.0')
      expect(started().at(-1)).toMatchObject({ release: '2.6.0', entry: join(appDir, 'current', 'agent.mjs') })

      // 3. A later broken release goes back to the working one, not to the image.
      const third = await update('dep-l3', '2.7.0', BROKEN)
      expect(third).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP', version: '2.6.0' })
      expect(lstatSync(join(appDir, 'current')).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(appDir, 'current'))).toBe('releases/2.6.0')
      expect(await appVersion()).toBe('2.6.0')

      // systemctl stop: the launcher stops its agent cleanly and exits 0.
      expect(await launcher.stop()).toBe(0)
      await waitFor(
        'kiosk offline',
        async () => (await stack.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).state === 'offline',
        30_000,
      )
    } finally {
      launcher.killGroup()
    }
  }, 300_000)
})

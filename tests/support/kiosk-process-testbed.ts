/**
 * What the tests of kiosk agents in their own processes share: a fleet (embedded Aedes, PGlite), a
 * capture of the MQTT traffic and a TUF update repository, started once per test file, plus a config
 * file for an updatable kiosk and the helpers to drive it through the fleet's API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, expect } from 'vitest'
import { testAgentConfig } from './fleet.ts'
import { captureMqtt, type MqttCapture } from './mqtt-capture.ts'
import { startStack, type TestStack } from './stack.ts'
import { startUpdateRepo, type UpdateRepo } from './update-repo.ts'
import { waitFor } from './wait-for.ts'

export interface KioskProcessTestbed {
  readonly stack: TestStack
  readonly repo: UpdateRepo
  readonly capture: MqttCapture
  /** Writes the config file of an updatable kiosk; returns it and the loaded config. */
  kioskConfig(
    kioskId: string,
    overrides?: Record<string, unknown>,
  ): { configFile: string; config: ReturnType<typeof testAgentConfig> }
  reports(kioskId: string, deploymentId: string): DeploymentStatusPayload[]
  waitOnline(kioskId: string): Promise<void>
  /** Sends `update` for an app release and expects it accepted. */
  updateApp(kioskId: string, deploymentId: string, target: string, version: string): Promise<void>
  appVersion(kioskId: string): Promise<string | undefined>
}

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } }

/** Registers beforeAll/afterAll in the calling test file. */
export function useKioskProcessTestbed(): KioskProcessTestbed {
  let stack: TestStack | undefined
  let repo: UpdateRepo | undefined
  let capture: MqttCapture | undefined
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
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the testbed starts in beforeAll')
    return value
  }
  const testbed: KioskProcessTestbed = {
    get stack() {
      return started(stack)
    },
    get repo() {
      return started(repo)
    },
    get capture() {
      return started(capture)
    },
    kioskConfig(kioskId, overrides = {}) {
      const config = testAgentConfig(kioskId, testbed.stack.mqttUrl, { ui: { enabled: false }, ...overrides })
      const trustedRootFile = testbed.repo.writeRoot(mkdtempSync(join(tmpdir(), 'kiosk-root-')))
      const configFile = join(mkdtempSync(join(tmpdir(), 'kiosk-conf-')), 'kiosk.json')
      const updates = {
        enabled: true,
        fleetUrl: testbed.repo.fleetUrl,
        trustedRootFile,
        gatePollMs: 100,
        downloadRetryMs: 100,
      }
      writeFileSync(configFile, JSON.stringify({ ...config, updates }))
      return { configFile, config }
    },
    reports(kioskId, deploymentId) {
      const topic = `kiosk/v1/${kioskId}/deployments/${deploymentId}`
      return testbed.capture.messages
        .filter((m) => m.topic === topic)
        .map((m) => JSON.parse(m.payload) as DeploymentStatusPayload)
    },
    async waitOnline(kioskId) {
      await waitFor(
        `${kioskId} online`,
        async () => (await testbed.stack.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).state === 'online',
        60_000,
      )
    },
    async updateApp(kioskId, deploymentId, target, version) {
      const answer = await testbed.stack.api<{ status: string; data?: { outcome: string } }>(
        `/api/kiosks/${kioskId}/commands/update`,
        {
          ...JSON_POST,
          body: JSON.stringify({
            params: { deploymentId, kind: 'app', target, version, install: { mode: 'immediate' } },
            timeoutMs: 15_000,
          }),
        },
      )
      expect(answer).toMatchObject({ status: 'ok', data: { outcome: 'accepted' } })
    },
    async appVersion(kioskId) {
      const ping = await testbed.stack.api<{ data?: { appVersion?: string } }>(`/api/kiosks/${kioskId}/commands/ping`, {
        ...JSON_POST,
        body: JSON.stringify({ params: {}, timeoutMs: 15_000 }),
      })
      return ping.data?.appVersion
    },
  }
  return testbed
}

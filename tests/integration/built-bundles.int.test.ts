/**
 * `npm run build`'s bundles run as production runs them, plain node and no tsx: the built
 * fleet-server (PGlite, embedded broker), a kiosk enrolled by the built kiosk-agent-enrol, the built
 * kiosk agent coming online and serving its citizen UI, and the built fleetctl listing it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type BuiltApps,
  type BuiltFleet,
  buildApps,
  enrolBuiltKiosk,
  runBuilt,
  startBuiltFleet,
} from '../support/built-apps.ts'
import { testAgentConfig } from '../support/fleet.ts'
import { stopChild } from '../support/stop-child.ts'
import { waitFor } from '../support/wait-for.ts'

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

describe('the built bundles run with plain node', () => {
  let apps: BuiltApps
  let fleet: BuiltFleet
  let agent: ChildProcess | undefined
  let dataDir: string | undefined
  let agentOutput = ''

  beforeAll(async () => {
    apps = await buildApps()
    fleet = await startBuiltFleet(apps)
  })
  afterAll(async () => {
    if (agent) await stopChild(agent)
    await fleet?.stop()
    apps?.cleanup()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('bundles only the project: npm packages stay external, tsx is never imported', () => {
    for (const bin of ['fleet-server', 'kiosk-agent', 'kiosk-launcher', 'fleetctl', 'kiosk-agent-enrol']) {
      const source = readFileSync(apps.bin(bin), 'utf8')
      expect(source, bin).not.toMatch(/from ["']tsx/)
      expect(source, bin).not.toMatch(/import\(["'][^"']+\.ts["']\)/)
    }
  })

  it('a built kiosk agent, enrolled by the built enrol tool, comes online on the built fleet-server', async () => {
    const kioskId = 'built-01'
    const credentials = await enrolBuiltKiosk(apps, fleet, kioskId)
    const config = testAgentConfig(kioskId, credentials.mqtt.url, {
      mqtt: { username: credentials.mqtt.username, password: credentials.mqtt.password },
      ui: { enabled: true, port: 0 },
      log: { level: 'info' },
    })
    dataDir = config.dataDir
    const configFile = join(config.dataDir, 'kiosk.json')
    writeFileSync(configFile, JSON.stringify(config))
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIOSK_')))
    agent = spawn(process.execPath, [apps.bin('kiosk-agent'), '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    })
    agent.stdout?.on('data', (c: Buffer) => {
      agentOutput += c.toString('utf8')
    })
    agent.stderr?.on('data', (c: Buffer) => {
      agentOutput += c.toString('utf8')
    })

    await waitFor(
      `${kioskId} online`,
      async () => {
        if (agent?.exitCode !== null) throw new Error(`the built agent exited: ${agentOutput}`)
        return (await fleet.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).body.state === 'online'
      },
      180_000,
      500,
    )
    // The citizen UI from the build's copy of kiosk/ui/public.
    const url = await waitFor('ui-url', () => {
      try {
        return readFileSync(join(config.dataDir, 'ui-url'), 'utf8').trim()
      } catch {
        return undefined
      }
    })
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/<html/i)

    const token = await fleet.token('admin', '')
    const listed = runBuilt(apps, 'fleetctl', ['kiosks', 'list', '--json'], {
      FLEETCTL_SERVER: fleet.httpUrl,
      FLEETCTL_TOKEN: token,
    })
    expect(listed.status, listed.stderr).toBe(0)
    const kiosks = JSON.parse(listed.stdout) as Array<{ id?: string; kioskId?: string; state: string }>
    expect(kiosks.find((k) => (k.id ?? k.kioskId) === kioskId)?.state).toBe('online')
  })
})

/**
 * The kiosk's update agent end to end on the kiosk side: a real TUF repository signed by the
 * fleet's TufRepository and served over HTTP with Range (tests/support/update-repo.ts), a real broker
 * and fleet-server (the `update` command goes through the fleet's command API), and an in-process
 * supervisor that stops and re-creates the agent when it asks to be restarted, as systemd would.
 */
import { lstatSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { buildFirmwareImage } from '@drivers/printer-escpos'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { updateCapabilitiesOf } from '@kiosk/agent'
import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { createPtyPair } from '../support/pty.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { deadPrinterIn, releaseTarball, type Supervised, startUpdatableKiosk } from '../support/updatable-kiosk.ts'
import { startUpdateRepo, type UpdateRepo } from '../support/update-repo.ts'
import { waitFor } from '../support/wait-for.ts'

interface Outcome {
  status: string
  data?: Record<string, unknown>
  error?: { code: string; message: string }
}

const DAY = 86_400_000

let stack: TestStack
let repo: UpdateRepo
let capture: MqttCapture
const running: Supervised[] = []

beforeAll(async () => {
  stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
  capture = await captureMqtt(stack.mqttUrl)
})
afterAll(async () => {
  await capture?.close()
  await stack?.stop()
})
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop()
  await repo?.stop()
})

/** An updatable kiosk (tests/support/updatable-kiosk.ts) on this file's stack and repository, stopped after each test. */
async function updatableKiosk(
  kioskId: string,
  updates: Record<string, unknown> = {},
  options: {
    ui?: boolean
    peripherals?: unknown[]
    peripheralsFor?: (version: string) => unknown[] | undefined
  } = {},
): Promise<Supervised> {
  const supervised = await startUpdatableKiosk(kioskId, {
    mqttUrl: stack.mqttUrl,
    fleetUrl: repo.fleetUrl,
    rootJson: repo.rootJson,
    updates,
    ...options,
    online: async (id) => (await stack.api<{ state?: string }>(`/api/kiosks/${id}`)).state === 'online',
  })
  running.push(supervised)
  return supervised
}

function send(kioskId: string, command: string, params: Record<string, unknown>): Promise<Outcome> {
  return stack.api<Outcome>(`/api/kiosks/${kioskId}/commands/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params, timeoutMs: 15_000 }),
  })
}

function reports(kioskId: string, deploymentId: string): DeploymentStatusPayload[] {
  const topic = `kiosk/v1/${kioskId}/deployments/${deploymentId}`
  return capture.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as DeploymentStatusPayload)
}

/**
 * The report that ends a deployment: success, rolledBack, or a failure that nothing follows (before
 * installing; or a second failure, when the rollback itself failed).
 */
async function finalReport(kioskId: string, deploymentId: string): Promise<DeploymentStatusPayload> {
  return waitFor(
    `deployment ${deploymentId} finished`,
    () => {
      const all = reports(kioskId, deploymentId)
      const installed = all.some((r) => r.state === 'installing')
      const failures = all.filter((r) => r.state === 'failure')
      return all.find(
        (r) =>
          r.state === 'success' ||
          r.state === 'rolledBack' ||
          (r.state === 'failure' && (!installed || failures.length > 1) && r === failures.at(-1)),
      )
    },
    60_000,
  )
}

function currentRelease(dataDir: string): string | undefined {
  const link = join(dataDir, 'app', 'current')
  try {
    return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined
  } catch {
    return undefined
  }
}

const appUpdate = (deploymentId: string, version: string, target: string, extra: Record<string, unknown> = {}) => ({
  deploymentId,
  kind: 'app',
  target,
  version,
  install: { mode: 'immediate' },
  ...extra,
})

describe('kiosk update agent', () => {
  it('installs an app release, restarts into it, passes its health check and reports success', async () => {
    repo = await startUpdateRepo()
    const target = await repo.addApp('2.0.0', await releaseTarball('2.0.0'))
    const kiosk = await updatableKiosk('upd-app-01')
    expect(kiosk.agent.appVersion).toBe('0.1.0')

    const answer = await send('upd-app-01', 'update', appUpdate('dep-app-1', '2.0.0', target))
    expect(answer).toMatchObject({ status: 'ok', data: { deploymentId: 'dep-app-1', outcome: 'accepted' } })
    const done = await finalReport('upd-app-01', 'dep-app-1')
    expect(done).toMatchObject({ state: 'success', version: '2.0.0' })
    expect(reports('upd-app-01', 'dep-app-1').map((r) => r.state)).toEqual(
      expect.arrayContaining(['downloading', 'downloaded', 'installing', 'rebooting', 'success']),
    )
    await waitFor('restarted once', () => kiosk.restarts === 1)
    expect(kiosk.agent.appVersion).toBe('2.0.0')
    expect(currentRelease(kiosk.dataDir)).toBe('releases/2.0.0')
    expect(await send('upd-app-01', 'ping', {})).toMatchObject({ data: { appVersion: '2.0.0' } })
    expect(kiosk.agent.recordHealth().updates).toMatchObject({
      metadataStale: false,
      deploymentId: 'dep-app-1',
      phase: 'committed',
    })
    // The same notification again (the fleet re-sends on birth): nothing to do.
    expect(await send('upd-app-01', 'update', appUpdate('dep-app-1', '2.0.0', target))).toMatchObject({
      data: { outcome: 'alreadyInstalled' },
    })
  })

  it('rolls a release that fails its health check back by itself and reports rolledBack', async () => {
    repo = await startUpdateRepo()
    const target = await repo.addApp('3.0.0', await releaseTarball('3.0.0'))
    const kiosk = await updatableKiosk(
      'upd-app-02',
      { healthCheckTimeoutMs: 1500 },
      {
        // Release 3.0.0's printer driver cannot open the printer: the device never answers.
        peripheralsFor: deadPrinterIn('3.0.0'),
      },
    )
    expect(await send('upd-app-02', 'update', appUpdate('dep-app-2', '3.0.0', target))).toMatchObject({
      data: { outcome: 'accepted' },
    })
    const done = await finalReport('upd-app-02', 'dep-app-2')
    expect(done).toMatchObject({ state: 'rolledBack', version: '0.1.0' })
    expect(reports('upd-app-02', 'dep-app-2')).toContainEqual(
      expect.objectContaining({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED' }),
    )
    await waitFor('restarted on the old release', () => kiosk.restarts === 2 && kiosk.agent.connected)
    expect(kiosk.agent.appVersion).toBe('0.1.0')
    expect(currentRelease(kiosk.dataDir)).toBeUndefined()
  })

  it('resumes a download cut mid-way with Range and installs the verified file', async () => {
    repo = await startUpdateRepo()
    const tarball = await releaseTarball('2.1.0')
    const target = await repo.addApp('2.1.0', tarball)
    repo.cutNextTargetAfter(Math.floor(tarball.byteLength / 2))
    await updatableKiosk('upd-app-03')
    await send('upd-app-03', 'update', appUpdate('dep-app-3', '2.1.0', target))
    expect(await finalReport('upd-app-03', 'dep-app-3')).toMatchObject({ state: 'success', version: '2.1.0' })
    const requests = repo.targetRequests.filter((r) => r.path.includes('kiosk-app-2.1.0'))
    expect(requests[0]).toMatchObject({ range: undefined, status: 200 })
    // The second request continues where the part file ends (what arrived before the cut).
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? '')?.[1])
    expect(requests[1]?.status).toBe(206)
    expect(resumedAt).toBeGreaterThan(0)
    expect(resumedAt).toBeLessThanOrEqual(Math.floor(tarball.byteLength / 2))
    expect(requests).toHaveLength(2)
  })

  it('rejects a tampered target and keeps the running release', async () => {
    repo = await startUpdateRepo()
    const tarball = await releaseTarball('2.2.0')
    const target = await repo.addApp('2.2.0', tarball)
    const evil = Uint8Array.from(tarball)
    evil[evil.length - 1] = (evil[evil.length - 1] ?? 0) ^ 0xff
    repo.tamper(target, evil)
    const kiosk = await updatableKiosk('upd-app-04')
    await send('upd-app-04', 'update', appUpdate('dep-app-4', '2.2.0', target))
    expect(await finalReport('upd-app-04', 'dep-app-4')).toMatchObject({
      state: 'failure',
      errorCode: 'ERR_KIOSK_UPDATE_TARGET_MISMATCH',
    })
    expect(kiosk.restarts).toBe(0)
    expect(currentRelease(kiosk.dataDir)).toBeUndefined()
  })

  it('refuses a notification whose target metadata names another version', async () => {
    repo = await startUpdateRepo()
    const target = await repo.addApp('2.3.0', await releaseTarball('2.3.0'))
    await updatableKiosk('upd-app-05')
    await send('upd-app-05', 'update', appUpdate('dep-app-5', '9.9.9', target))
    expect(await finalReport('upd-app-05', 'dep-app-5')).toMatchObject({
      state: 'failure',
      errorCode: 'ERR_KIOSK_UPDATE_ARTIFACT_MISMATCH',
    })
  })

  it('waits while a citizen is served, installs after the session ends, and cancels only before installing', async () => {
    repo = await startUpdateRepo()
    const target = await repo.addApp('2.4.0', await releaseTarball('2.4.0'))
    const kiosk = await updatableKiosk('upd-app-06', {}, { ui: true })
    const citizen = kiosk.agent.citizen
    if (citizen === undefined) throw new Error('citizen services did not start')
    citizen.sessions.start('id-progress')

    // A deployment that gets cancelled while it waits.
    await send('upd-app-06', 'update', appUpdate('dep-app-6a', '2.4.0', target))
    await waitFor('blocked by the session', () =>
      reports('upd-app-06', 'dep-app-6a').some(
        (r) => r.state === 'downloaded' && r.blockedBy?.includes('sessionActive') === true,
      ),
    )
    const other = await send('upd-app-06', 'update', appUpdate('dep-app-6x', '2.4.0', target))
    expect(other).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_UPDATE_BUSY' } })
    expect(await send('upd-app-06', 'update', appUpdate('dep-app-6a', '2.4.0', target))).toMatchObject({
      data: { outcome: 'inProgress' },
    })
    expect(await send('upd-app-06', 'cancel-update', { deploymentId: 'dep-app-6a' })).toMatchObject({
      data: { outcome: 'cancelled' },
    })
    expect(await finalReport('upd-app-06', 'dep-app-6a')).toMatchObject({
      state: 'failure',
      errorCode: 'ERR_KIOSK_UPDATE_CANCELLED',
    })

    // The next one installs once the citizen is done.
    await send('upd-app-06', 'update', appUpdate('dep-app-6b', '2.4.0', target))
    await waitFor('blocked by the session again', () =>
      reports('upd-app-06', 'dep-app-6b').some((r) => r.blockedBy?.includes('sessionActive') === true),
    )
    expect(kiosk.agent.maintenance.active).toBe(false)
    citizen.sessions.end('completed')
    expect(await finalReport('upd-app-06', 'dep-app-6b')).toMatchObject({ state: 'success', version: '2.4.0' })
    expect(await send('upd-app-06', 'cancel-update', { deploymentId: 'dep-app-6b' })).toMatchObject({
      data: { outcome: 'tooLate' },
    })
    await waitFor('back in service after the update', () => !kiosk.agent.maintenance.active)
  })

  it('keeps a downloaded update waiting while the timestamp is expired and installs once it is fresh again', async () => {
    repo = await startUpdateRepo()
    const target = await repo.addApp('2.5.0', await releaseTarball('2.5.0'))
    const kiosk = await updatableKiosk('upd-app-07', {}, { ui: true })
    const citizen = kiosk.agent.citizen
    if (citizen === undefined) throw new Error('citizen services did not start')
    citizen.sessions.start('id-progress')
    await send('upd-app-07', 'update', appUpdate('dep-app-7', '2.5.0', target))
    await waitFor('downloaded and waiting', () =>
      reports('upd-app-07', 'dep-app-7').some((r) => r.blockedBy?.includes('sessionActive') === true),
    )
    // The kiosk trusts a timestamp that expires in a few seconds, then loses the fleet past it.
    const expiresAt = Date.now() + 3000
    await repo.repo.addTarget('app/misc/filler.txt', new TextEncoder().encode('x'), expiresAt - DAY)
    expect(await kiosk.agent.updates?.refreshMetadata()).toBe(true)
    await waitFor('the trusted timestamp expired', () => Date.now() > expiresAt + 1000, 10_000)
    citizen.sessions.end('completed')
    await waitFor('blocked by stale metadata', () =>
      reports('upd-app-07', 'dep-app-7').some((r) => r.blockedBy?.includes('metadataStale') === true),
    )
    expect(kiosk.agent.recordHealth().updates?.metadataStale).toBe(true)
    expect(kiosk.restarts).toBe(0)
    // Back online: a fresh timestamp lets it go on, without downloading again.
    await repo.repo.addTarget('app/misc/filler2.txt', new TextEncoder().encode('y'), Date.now())
    expect(await finalReport('upd-app-07', 'dep-app-7')).toMatchObject({ state: 'success', version: '2.5.0' })
    expect(repo.targetRequests.filter((r) => r.path.includes('kiosk-app-2.5.0'))).toHaveLength(1)
    expect(kiosk.agent.recordHealth().updates?.metadataStale).toBe(false)
  })

  it('applies a config and flashes firmware on the emulated printer, and keeps the previous config', async () => {
    repo = await startUpdateRepo()
    const configTarget = await repo.addVendorFile(
      'config',
      'epson',
      'TM-T88VI',
      'density-2.json',
      new TextEncoder().encode(JSON.stringify({ density: 2, cutter: 'partial' })),
      'cfg-2',
    )
    const fwTarget = await repo.addVendorFile(
      'firmware',
      'epson',
      'TM-T88VI',
      'fw-30.12.bin',
      new TextEncoder().encode('KIOSKFW 30.12\n\u0000\u0001binary image'),
      '30.12',
    )
    const kiosk = await updatableKiosk('upd-dev-01')
    const device = { vendor: 'epson', model: 'TM-T88VI' }
    await send('upd-dev-01', 'update', {
      deploymentId: 'dep-cfg-1',
      kind: 'config',
      target: configTarget,
      version: 'cfg-2',
      device,
      install: { mode: 'immediate' },
    })
    expect(await finalReport('upd-dev-01', 'dep-cfg-1')).toMatchObject({ state: 'success', version: 'cfg-2' })
    const printer = kiosk.agent.peripherals.find((p) => p.deviceId === 'receipt') as unknown as {
      appliedConfig?: Record<string, unknown>
      identity: { firmware: string }
    }
    expect(printer.appliedConfig).toEqual({ density: 2, cutter: 'partial' })

    await send('upd-dev-01', 'update', {
      deploymentId: 'dep-fw-1',
      kind: 'firmware',
      target: fwTarget,
      version: '30.12',
      device,
      install: { mode: 'immediate' },
    })
    expect(await finalReport('upd-dev-01', 'dep-fw-1')).toMatchObject({ state: 'success', version: '30.12' })
    expect(printer.identity.firmware).toBe('30.12')
    expect(kiosk.restarts).toBe(0)

    // A model the kiosk does not have is refused with a code, on the command and the deployment topic.
    const missing = await send('upd-dev-01', 'update', {
      deploymentId: 'dep-fw-2',
      kind: 'firmware',
      target: fwTarget,
      version: '30.12',
      device: { vendor: 'acme', model: 'gh-467' },
      install: { mode: 'immediate' },
    })
    expect(missing).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_UPDATE_DEVICE_MISSING' } })
  })

  it('configures and flashes the real ESC/POS driver against its emulator on a pty, and rolls a refused config back', async () => {
    repo = await startUpdateRepo()
    const MODEL = 'epson-tm-t88v'
    const pty = await createPtyPair()
    const emulator = new EscPosEmulator({
      transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 }),
      model: MODEL,
      firmware: '1.00',
      restartMs: 50,
    })
    await emulator.start()
    try {
      const kiosk = await updatableKiosk(
        'upd-dev-02',
        {},
        {
          peripherals: [
            {
              deviceId: 'receipt',
              model: MODEL,
              address: pty.hostEnd,
            },
          ],
        },
      )
      await waitFor('printer open', () => kiosk.agent.peripherals[0]?.status().state === 'online')
      const device = { vendor: 'epson', model: MODEL }
      const push = async (
        id: string,
        kind: 'config' | 'firmware',
        file: string,
        bytes: Uint8Array,
        version: string,
      ) => {
        const target = await repo.addVendorFile(kind, 'epson', MODEL, file, bytes, version)
        await send('upd-dev-02', 'update', {
          deploymentId: id,
          kind,
          target,
          version,
          device,
          install: { mode: 'immediate' },
        })
        return finalReport('upd-dev-02', id)
      }
      const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
      const printer = kiosk.agent.peripherals[0]
      if (printer === undefined) throw new Error('no printer')
      const density = async () => {
        const read = await updateCapabilitiesOf(printer).readConfig?.()
        return read?.ok ? read.value.printDensity : undefined
      }

      expect(
        await push('dep-esc-cfg1', 'config', 'density-110.json', json({ printDensity: 110 }), 'cfg-1'),
      ).toMatchObject({
        state: 'success',
        version: 'cfg-1',
      })
      expect(await density()).toBe(110)

      // The printer refuses a value out of its range: the previous configuration is applied again.
      const refused = await push('dep-esc-cfg2', 'config', 'density-300.json', json({ printDensity: 300 }), 'cfg-2')
      expect(refused).toMatchObject({ state: 'rolledBack', version: 'cfg-1' })
      expect(reports('upd-dev-02', 'dep-esc-cfg2')).toContainEqual(
        expect.objectContaining({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_DEVICE_FAILED' }),
      )
      expect(await density()).toBe(110)

      const image = buildFirmwareImage({ model: MODEL, version: '2.10', payload: new Uint8Array(4096).fill(0x5a) })
      expect(await push('dep-esc-fw1', 'firmware', 'fw-2.10.bin', image, '2.10')).toMatchObject({
        state: 'success',
        version: '2.10',
      })
      expect(emulator.nv.firmware).toBe('2.10')
      expect(kiosk.agent.peripherals[0]?.identity.firmware).toBe('2.10')
      expect(kiosk.agent.peripherals[0]?.status().state).toBe('online')
    } finally {
      for (const s of running.splice(0)) await s.stop()
      await emulator.stop()
      await pty.close()
    }
  })
})

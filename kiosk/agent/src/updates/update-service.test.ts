import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { MaintenanceMode } from '../commands/maintenance.ts'
import { EmulatedPeripheral } from '../devices/emulated-peripheral.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import type { TrustedTarget, TufResult } from './tuf-verifier.ts'
import type { KioskActivity } from './update-gate.ts'
import { type DeploymentReport, UpdateService } from './update-service.ts'

const logger = pino({ level: 'silent' })
const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Published {
  path: string
  bytes: Uint8Array
  custom: Record<string, unknown>
}

/**
 * A real HTTP server for target bytes, and a verifier that answers from `published` the way TufVerifier
 * answers from verified metadata (the TUF side itself is covered by tuf-updates.int.test.ts).
 */
async function world(options: { expires?: () => number } = {}) {
  const published = new Map<string, Published>()
  const server: Server = createServer((req, res) => {
    const entry = [...published.values()].find((p) => `/${p.path}` === req.url)
    if (entry === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-length': entry.bytes.byteLength }).end(entry.bytes)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const expires = () => new Date(options.expires?.() ?? Date.now() + 86_400_000).toISOString()
  const verifier = {
    refresh: async () => ({ ok: true as const, value: { timestampVersion: 1, timestampExpires: expires() } }),
    trusted: async () => ({ ok: true as const, value: { timestampVersion: 1, timestampExpires: expires() } }),
    targetInfo: async (path: string): Promise<TufResult<TrustedTarget>> => {
      const entry = published.get(path)
      if (entry === undefined) {
        return { ok: false, error: { code: 'ERR_KIOSK_UPDATE_TARGET_NOT_FOUND', message: `no ${path}` } }
      }
      if (Date.parse(expires()) <= Date.now()) {
        return { ok: false, error: { code: 'ERR_KIOSK_UPDATE_METADATA_EXPIRED', message: 'expired' } }
      }
      return {
        ok: true,
        value: {
          path,
          url: `${base}/${path}`,
          length: entry.bytes.byteLength,
          sha256: createHash('sha256').update(entry.bytes).digest('hex'),
          custom: entry.custom,
          timestampVersion: 1,
          timestampExpires: expires(),
        },
      }
    },
  }
  const publish = (path: string, bytes: Uint8Array | string, custom: Record<string, unknown>) =>
    published.set(path, { path, bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, custom })
  return { verifier, publish }
}

function kiosk(w: Awaited<ReturnType<typeof world>>, peripherals: Peripheral[], dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'update-service-'))
  if (dataDir === undefined) cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const reports: DeploymentReport[] = []
  const events: string[] = []
  const activity: KioskActivity = { sessionActive: false, cardInReader: false, paperInPath: false }
  const maintenance = new MaintenanceMode()
  const service = new UpdateService({
    settings: {
      releasesDir: join(dir, 'app'),
      stateDir: join(dir, 'updates'),
      baseAppVersion: '1.0.0',
      machineType: 'id',
      healthCheckTimeoutMs: 2000,
      metadataRefreshMs: 3_600_000,
      gatePollMs: 20,
      staleRetryMs: 20,
      downloadRetryMs: 20,
      downloadAttempts: 3,
      deviceTimeoutMs: 2000,
    },
    verifier: w.verifier,
    host: {
      findDevice: (ref) => peripherals.find((p) => p.identity.model === ref.model),
      deviceById: (id) => peripherals.find((p) => p.deviceId === id),
      activity: () => activity,
      holdService: () => {
        events.push('hold')
        maintenance.enter('update')
      },
      releaseService: () => {
        events.push('release')
        maintenance.leave()
      },
      publish: (r) => {
        reports.push(r)
        events.push(`report:${r.state}`)
      },
      restartAgent: () => events.push('restart'),
      appHealthy: async () => true,
      healthChanged: () => undefined,
      inventoryChanged: () => undefined,
    },
    logger,
  })
  cleanups.push(() => service.stop())
  return { service, reports, events, activity, maintenance, dir }
}

function printer(overrides: Partial<ConstructorParameters<typeof EmulatedPeripheral>[0]> = {}): EmulatedPeripheral {
  return new EmulatedPeripheral({
    deviceId: 'receipt',
    identity: { deviceClass: 'receiptPrinter', vendor: 'Acme', model: 'rp-80', serial: '', firmware: '1.0' },
    ...overrides,
  })
}

const CONFIG_PATH = 'config/acme/rp-80/density.json'
const configUpdate = (deploymentId: string, version: string, target = CONFIG_PATH) => ({
  deploymentId,
  kind: 'config' as const,
  target,
  version,
  device: { vendor: 'acme', model: 'rp-80' },
  install: { mode: 'immediate' as const },
})
const configCustom = (version: string) => ({ kind: 'config', version, vendor: 'acme', deviceModel: 'rp-80' })

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (probe()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('UpdateService', () => {
  it('applies a config once the kiosk is idle, holding citizen service while it installs', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const device = printer()
    const k = kiosk(w, [device])
    k.activity.sessionActive = true
    expect(await k.service.update(configUpdate('d1', 'c1'))).toEqual({ deploymentId: 'd1', outcome: 'accepted' })
    await until('blocked', () => k.reports.some((r) => r.blockedBy?.includes('sessionActive') === true))
    expect(k.maintenance.active).toBe(false)
    expect(await k.service.update(configUpdate('d1', 'c1'))).toMatchObject({ outcome: 'inProgress' })
    await expect(k.service.update(configUpdate('d2', 'c1'))).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_BUSY' })
    k.activity.sessionActive = false
    await until('success', () => k.reports.some((r) => r.state === 'success'))
    expect(k.reports.at(-1)).toMatchObject({ deploymentId: 'd1', state: 'success', version: 'c1' })
    expect(device.appliedConfig).toEqual({ density: 3 })
    // Held from before installing until the end, then released.
    expect(k.events.indexOf('hold')).toBeLessThan(k.events.indexOf('report:installing'))
    expect(k.events.indexOf('release')).toBeGreaterThan(k.events.indexOf('report:installing'))
    expect(k.maintenance.active).toBe(false)
    expect(await k.service.update(configUpdate('d3', 'c1'))).toMatchObject({ outcome: 'alreadyInstalled' })
    expect(k.service.health()).toMatchObject({ metadataStale: false, deploymentId: 'd1', phase: 'committed' })
  })

  it('re-applies the previous config when the device refuses the new one', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    w.publish('config/acme/rp-80/bad.json', JSON.stringify({ _secret: 1 }), configCustom('c2'))
    const device = printer()
    const k = kiosk(w, [device])
    await k.service.update(configUpdate('d1', 'c1'))
    await until('c1', () => k.reports.some((r) => r.state === 'success'))
    await k.service.update(configUpdate('d2', 'c2', 'config/acme/rp-80/bad.json'))
    await until('rolledBack', () => k.reports.some((r) => r.state === 'rolledBack'))
    expect(k.reports.filter((r) => r.deploymentId === 'd2').slice(-2)).toEqual([
      { deploymentId: 'd2', state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_DEVICE_FAILED' },
      { deploymentId: 'd2', state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_DEVICE_FAILED', version: 'c1' },
    ])
    expect(device.appliedConfig).toEqual({ density: 3 })
  })

  it('cancels before installing, and answers tooLate or unknown otherwise', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const k = kiosk(w, [printer()])
    k.activity.cardInReader = true
    await k.service.update(configUpdate('d1', 'c1'))
    await until('waiting', () => k.reports.some((r) => r.blockedBy?.includes('cardInReader') === true))
    expect(await k.service.cancel('other')).toEqual({ deploymentId: 'other', outcome: 'unknown' })
    expect(await k.service.cancel('d1')).toEqual({ deploymentId: 'd1', outcome: 'cancelled' })
    await until('failed', () => k.service.state === 'failed')
    expect(k.reports.at(-1)).toEqual({ deploymentId: 'd1', state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_CANCELLED' })
    k.activity.cardInReader = false
    await k.service.update(configUpdate('d2', 'c1'))
    await until('committed', () => k.service.state === 'committed')
    expect(await k.service.cancel('d2')).toEqual({ deploymentId: 'd2', outcome: 'tooLate' })
  })

  it('fails when the verified target is not what the notification names', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), { ...configCustom('c1'), deviceModel: 'rp-58' })
    const k = kiosk(w, [printer()])
    await k.service.update(configUpdate('d1', 'c1'))
    await until('failed', () => k.service.state === 'failed')
    expect(k.reports.at(-1)).toMatchObject({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_ARTIFACT_MISMATCH' })
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), { ...configCustom('c1'), machineTypes: ['tax', 'license'] })
    await k.service.update(configUpdate('d2', 'c1'))
    await until('failed again', () => k.reports.at(-1)?.deploymentId === 'd2' && k.service.state === 'failed')
    // Signed for other machine types: the target is what was named, but it does not fit this kiosk.
    expect(k.reports.at(-1)).toMatchObject({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_INCOMPATIBLE' })
  })

  it('refuses a device without the capability, an unknown device and an unsafe target path', async () => {
    const w = await world()
    const bare: Peripheral = {
      deviceId: 'scanner',
      identity: { deviceClass: 'barcodeScanner', vendor: 'Acme', model: 'qr-1', serial: '', firmware: '1' },
      status: () => ({ state: 'online' }),
      counters: () => ({}),
      onStatusChanged: () => () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
    }
    const k = kiosk(w, [bare])
    const fw = {
      deploymentId: 'd1',
      kind: 'firmware' as const,
      target: 'firmware/acme/qr-1/fw.bin',
      version: '2',
      device: { vendor: 'acme', model: 'qr-1' },
      install: { mode: 'immediate' as const },
    }
    await expect(k.service.update(fw)).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_UNSUPPORTED' })
    expect(k.reports.at(-1)).toEqual({
      deploymentId: 'd1',
      state: 'failure',
      errorCode: 'ERR_KIOSK_UPDATE_UNSUPPORTED',
    })
    await expect(k.service.update({ ...fw, device: { vendor: 'x', model: 'y' } })).rejects.toMatchObject({
      code: 'ERR_KIOSK_UPDATE_DEVICE_MISSING',
    })
    await expect(k.service.update({ ...fw, target: 'firmware/acme/../../../etc' })).rejects.toMatchObject({
      code: 'ERR_KIOSK_UPDATE_BAD_REQUEST',
    })
  })

  it('waits with metadataStale while the trusted timestamp is expired, and installs once it is fresh', async () => {
    let expiresAt = Date.now() + 86_400_000
    const w = await world({ expires: () => expiresAt })
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const k = kiosk(w, [printer()])
    k.activity.paperInPath = true
    await k.service.update(configUpdate('d1', 'c1'))
    await until('waiting', () => k.reports.some((r) => r.blockedBy?.includes('paperInPath') === true))
    expiresAt = Date.now() - 1000
    k.activity.paperInPath = false
    await until('stale', () => k.reports.some((r) => r.blockedBy?.includes('metadataStale') === true))
    expect(k.service.health().metadataStale).toBe(true)
    expect(k.service.state).toBe('awaitingGate')
    expiresAt = Date.now() + 86_400_000
    await until('committed', () => k.service.state === 'committed')
    expect(k.service.health().metadataStale).toBe(false)
  })

  it('gives up when the deadline passes before the gate opens', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const k = kiosk(w, [printer()])
    k.activity.sessionActive = true
    await k.service.update({ ...configUpdate('d1', 'c1'), deadline: Date.now() + 100 })
    await until('failed', () => k.service.state === 'failed')
    expect(k.reports.at(-1)).toMatchObject({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_DEADLINE' })
  })

  it('keeps a waiting deployment across an agent stop and answers resumed after the restart', async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const device = printer()
    const first = kiosk(w, [device])
    first.activity.sessionActive = true
    await first.service.update(configUpdate('d1', 'c1'))
    await until('waiting', () => first.reports.some((r) => r.blockedBy?.includes('sessionActive') === true))
    await first.service.stop()
    await new Promise((r) => setTimeout(r, 50))
    expect(first.service.state).toBe('awaitingGate')

    const second = kiosk(w, [device], first.dir)
    second.activity.sessionActive = true
    await second.service.start()
    expect(await second.service.update(configUpdate('d1', 'c1'))).toMatchObject({ outcome: 'resumed' })
    second.activity.sessionActive = false
    await until('committed', () => second.service.state === 'committed')
    expect(device.appliedConfig).toEqual({ density: 3 })
  })

  it('flashes firmware and succeeds only once the device reports the new version', async () => {
    const w = await world()
    w.publish('firmware/acme/rp-80/fw-2.bin', 'KIOSKFW 2.0\nimage', {
      kind: 'firmware',
      version: '2.0',
      deviceModel: 'rp-80',
    })
    const device = printer()
    const k = kiosk(w, [device])
    await k.service.update({
      ...configUpdate('d1', '2.0', 'firmware/acme/rp-80/fw-2.bin'),
      kind: 'firmware',
    })
    await until('committed', () => k.service.state === 'committed')
    expect(device.identity.firmware).toBe('2.0')
    expect(k.reports.at(-1)).toMatchObject({ state: 'success', version: '2.0' })
    expect(k.events).not.toContain('restart')
  })

  it("waits outside the site's maintenance window and fails on a calendar without one", async () => {
    const w = await world()
    w.publish(CONFIG_PATH, JSON.stringify({ density: 3 }), configCustom('c1'))
    const k = kiosk(w, [printer()])
    // Open to citizens around now, every day: the window (all day) starts when they close.
    const minute = Math.floor(((Date.now() + 8 * 3_600_000) % 86_400_000) / 60_000)
    const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
    const open = [{ start: clock(Math.max(0, minute - 60)), end: clock(Math.min(1440, minute + 60)) }]
    const openingHours = Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, open]))
    const schedule = { windows: [{ start: '00:00', end: '24:00' }], openingHours, holidays: [] }
    await k.service.update({ ...configUpdate('d1', 'c1'), install: { mode: 'window', schedule } })
    await until('outside', () => k.reports.some((r) => r.blockedBy?.includes('outsideWindow') === true))
    expect(k.service.state).toBe('awaitingGate')
    expect(await k.service.cancel('d1')).toMatchObject({ outcome: 'cancelled' })
    await until('failed', () => k.service.state === 'failed')

    const never = { windows: [], openingHours, holidays: [] }
    await k.service.update({ ...configUpdate('d2', 'c1'), install: { mode: 'window', schedule: never } })
    await until('failed again', () => k.reports.at(-1)?.deploymentId === 'd2' && k.service.state === 'failed')
    expect(k.reports.at(-1)).toMatchObject({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_GATE_FAILED' })
  })
})

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFirmwareImage } from '@drivers/printer-escpos'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import {
  type FleetServer,
  generateTufKeyPair,
  KioskCredentials,
  loadFleetConfig,
  publicKeyOf,
  signVendorMetadata,
  startFleetServer,
} from '@fleet/server'
import { type DeploymentStatusPayload, SERVER_SUBSCRIPTIONS, sampleBirth } from '@kiosk-fleet/protocol'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { TEST_FLEET_MQTT, testKioskPassword } from '../support/kiosk-credentials.ts'
import { KioskProcessSupervisor } from '../support/kiosk-process.ts'
import { createPtyPair, type PtyPair } from '../support/pty.ts'
import { deadPrinterIn, releaseTarball, type Supervised, startUpdatableKiosk } from '../support/updatable-kiosk.ts'
import { createTestUpdateKeys, type TestUpdateKeys, testDeviceModels, testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

// One fleet of twenty kiosks on a shared two-core machine: generous bounds, never timing assertions.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 })

const ESC_MODEL = 'epson-tm-t88v'
const _MAIN = join(import.meta.dirname, '../../kiosk/agent/src/main.ts')
const _ROOT = join(import.meta.dirname, '../..')

type Auth = { authorization: string }
interface Answer<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T
}
interface GroupCount {
  group: number
  size: number
  states: Record<string, number>
}
interface Detail {
  id: string
  status: string
  statusReason: string | null
  currentGroup: number
  groupCounts: GroupCount[]
  totals: Record<string, number>
  excluded: { incompatible: number; notApproved: number }
}
interface KioskRow {
  kioskId: string
  group: number
  state: string
  blockedBy: string[] | null
  errorCode: string | null
  notifiedAt: string | null
  finishedAt: string | null
}
interface KioskView {
  id: string
  state: string
  appVersion: string | null
  department: string | null
  site: { id: string } | null
  peripherals: {
    deviceId: string
    vendor: string
    model: string
    firmware: string | null
    status: { state?: string }
  }[]
}

const site = (id: string, name: string, town: string) => ({ ...sampleBirth().site, id, name, town })
const SITES = {
  huaxi: site('hx-tc01', '花溪镇便民服务中心', '花溪镇'),
  liuyang: site('ly-vs03', '柳杨村便民服务站', '柳杨镇'),
  qingshan: site('qs-tc02', '青山镇便民服务中心', '青山镇'),
  civic: site('qz-civic', '青州市民中心', '青州市'),
} as const
const TOWN_SITES = [SITES.huaxi, SITES.liuyang, SITES.qingshan]

/** Release 3.0.0's receipt printer driver cannot open the printer: the device never answers. */
const brokenRelease = deadPrinterIn('3.0.0')

/** What the kiosks publish, with the time it arrived (the fleet's own subscriptions). */
interface Seen {
  topic: string
  payload: Record<string, unknown>
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('staged rollouts to a fleet of twenty real kiosk agents', () => {
  let database: TestDatabase
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let updatesDir: string
  let fleet: FleetServer
  let observer: mqtt.MqttClient
  const seen: Seen[] = []
  const kiosks = new Map<string, Supervised>()
  const printers: { kioskId: string; pty: PtyPair; emulator: EscPosEmulator }[] = []
  let child: { kioskId: string; supervisor: KioskProcessSupervisor; dataDir: string } | undefined
  let admin: Auth
  let lead: Auth
  let publicSecurity: Auth
  let tax: Auth
  let epsonVendor: Auth
  let epsonKey: ReturnType<typeof generateTufKeyPair>
  let started = 0

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    auth: Auth,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const bytes = body instanceof Uint8Array
    const response = await fetch(`${fleet.httpUrl}${path}`, {
      method,
      headers: {
        ...auth,
        ...(body === undefined || bytes ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: bytes ? Buffer.from(body) : JSON.stringify(body) }),
    })
    const text = await response.text()
    const parsed = text !== '' && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}
    return { status: response.status, headers: response.headers, body: parsed as T }
  }

  const kioskView = async (id: string) => (await call<KioskView>('GET', `/api/kiosks/${id}`, admin)).body
  const detail = async (id: string) => (await call<Detail>('GET', `/api/rollouts/${id}`, admin)).body
  const rows = async (id: string) =>
    (await call<{ kiosks: KioskRow[] }>('GET', `/api/rollouts/${id}/kiosks?limit=100`, admin)).body.kiosks
  const untilStatus = (id: string, status: string, timeoutMs = 150_000) =>
    waitFor(
      `rollout ${id} ${status}`,
      async () => {
        const d = await detail(id)
        if (['completed', 'halted', 'aborted'].includes(d.status) && d.status !== status) {
          throw new Error(`rollout ended ${d.status}: ${d.statusReason ?? ''} ${JSON.stringify(d.groupCounts)}`)
        }
        return d.status === status ? d : undefined
      },
      timeoutMs,
      250,
    )

  /** Deployment reports a kiosk published for a rollout (its deployment id). */
  const reports = (kioskId: string, deploymentId: string) =>
    seen
      .filter((m) => m.topic === `kiosk/v1/${kioskId}/deployments/${deploymentId}`)
      .map((m) => m.payload as unknown as DeploymentStatusPayload)
  const births = (kioskId: string) =>
    seen
      .filter((m) => m.topic === `kiosk/v1/${kioskId}/birth`)
      .map((m) => m.payload as { ts: number; appVersion: string })

  /** Pushes an artifact through the upload API (create, then one PATCH with every byte). */
  async function push(auth: Auth, input: Record<string, unknown>, bytes: Uint8Array) {
    const created = await call<{ artifact: { id: string; targetPath: string }; upload: { id: string } }>(
      'POST',
      '/api/artifacts',
      auth,
      { fileName: 'file.bin', length: bytes.byteLength, sha256: sha256(bytes), ...input },
    )
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const done = await call('PATCH', `/api/uploads/${created.body.upload.id}`, auth, bytes, {
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
    })
    expect(done.status, JSON.stringify(done.body)).toBe(204)
    return {
      id: created.body.artifact.id,
      targetPath: created.body.artifact.targetPath,
      status: done.headers.get('artifact-status'),
    }
  }

  async function approveArtifact(id: string, approvals: [Auth, string][]) {
    for (const [auth, department] of approvals) {
      const answer = await call('POST', `/api/artifacts/${id}/approvals`, auth, { department })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    }
  }

  /** Created by the IT admin, approved by a second person, started. */
  async function rollout(body: Record<string, unknown>, approver: Auth): Promise<string> {
    const created = await call<Detail>('POST', '/api/rollouts', admin, {
      successThreshold: 1,
      errorThreshold: 0.5,
      errorMinSample: 3,
      installMode: 'immediate',
      kioskTimeoutMs: 600_000,
      ...body,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id
    expect((await call('POST', `/api/rollouts/${id}/approve`, admin, {})).status).toBe(403)
    const approved = await call<Detail>('POST', `/api/rollouts/${id}/approve`, approver, {})
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    expect(approved.body.status).toBe('approved')
    const go = await call<Detail>('POST', `/api/rollouts/${id}/start`, admin, {})
    expect(go.status, JSON.stringify(go.body)).toBe(200)
    return id
  }

  async function online(kioskId: string): Promise<boolean> {
    return (await kioskView(kioskId)).state === 'online'
  }

  async function credentials(kioskId: string): Promise<void> {
    await new KioskCredentials(fleet.db).issue(kioskId, { password: testKioskPassword(kioskId) })
  }

  async function inProcessKiosk(
    kioskId: string,
    options: {
      department: string
      machineType: string
      site: (typeof TOWN_SITES)[number]
      ui?: boolean
      peripherals?: unknown[]
    },
  ): Promise<Supervised> {
    await credentials(kioskId)
    const kiosk = await startUpdatableKiosk(kioskId, {
      mqttUrl: fleet.mqttUrl,
      fleetUrl: fleet.httpUrl,
      rootJson: keys.rootJson,
      config: { department: options.department, machineType: options.machineType, site: options.site },
      ui: options.ui ?? false,
      ...(options.peripherals ? { peripherals: options.peripherals } : {}),
      peripheralsFor: brokenRelease,
      updates: { healthCheckTimeoutMs: 15_000 },
      online,
    })
    kiosks.set(kioskId, kiosk)
    return kiosk
  }

  beforeAll(async () => {
    const t0 = Date.now()
    keys = await createTestUpdateKeys()
    database = await createTestDatabase('pglite')
    updatesDir = mkdtempSync(join(tmpdir(), 'fleet-updates-'))
    fleet = await startFleetServer(
      loadFleetConfig({
        file: {
          http: { port: 0 },
          mqtt: { embedded: { port: 0 }, clientId: 'fleet-rollout-e2e', ...TEST_FLEET_MQTT },
          database: database.config,
          ingest: { maxDelayMs: 20 },
          auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
          log: { level: 'silent' },
          updates: { dir: updatesDir, rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
          rollouts: { tickMs: 250, notifyTimeoutMs: 30_000 },
        },
      }),
      quietLogger,
      { deviceModels: testDeviceModels() },
    )
    admin = await testUser(fleet, 'it-admin', 'admin')
    lead = await testUser(fleet, 'it-lead', 'admin')
    publicSecurity = await testUser(fleet, 'ps-head', 'department', { departments: ['public-security'] })
    tax = await testUser(fleet, 'tax-head', 'department', { departments: ['tax'] })
    epsonVendor = await testUser(fleet, 'epson-release', 'vendor', { vendors: ['epson'] })

    observer = await mqtt.connectAsync(fleet.mqttUrl, { clientId: 'rollout-e2e-observer', ...TEST_FLEET_MQTT })
    observer.on('message', (topic, payload) => {
      try {
        seen.push({ topic, payload: JSON.parse(payload.toString('utf8')) })
      } catch {
        // not JSON: not a report this test reads
      }
    })
    await observer.subscribeAsync([...SERVER_SUBSCRIPTIONS], { qos: 1 })

    // The fleet: 10 public-security kiosks (3 with a real ESC/POS printer), 8 tax kiosks, across three
    // towns; one public-security kiosk with its citizen UI at the city's civic centre; one more as a
    // child process. Started four at a time: two cores.
    const specs: Array<() => Promise<unknown>> = []
    for (let i = 1; i <= 10; i++) {
      const kioskId = `ps-${String(i).padStart(2, '0')}`
      const s = TOWN_SITES[i % 3] as (typeof TOWN_SITES)[number]
      specs.push(async () => {
        let peripherals: unknown[] | undefined
        if (i <= 3) {
          const pty = await createPtyPair()
          const emulator = new EscPosEmulator({
            transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 }),
            model: ESC_MODEL,
            firmware: '1.00',
            restartMs: 50,
          })
          await emulator.start()
          printers.push({ kioskId, pty, emulator })
          peripherals = [
            { deviceId: 'idcard', emulated: { deviceClass: 'idCardReader', vendor: 'Synjones', model: 'SS628-100' } },
            {
              deviceId: 'receipt',
              model: ESC_MODEL,
              address: pty.hostEnd,
              // From the printer's label; the kiosk reports it in its birth.
              hwRevision: 'M244A',
            },
          ]
        }
        await inProcessKiosk(kioskId, {
          department: 'public-security',
          machineType: 'id',
          site: s,
          ...(peripherals ? { peripherals } : {}),
        })
      })
    }
    for (let i = 1; i <= 8; i++) {
      const kioskId = `tax-${String(i).padStart(2, '0')}`
      specs.push(() =>
        inProcessKiosk(kioskId, {
          department: 'tax',
          machineType: 'tax',
          site: TOWN_SITES[i % 3] as (typeof TOWN_SITES)[number],
        }),
      )
    }
    specs.push(() =>
      inProcessKiosk('civic-ui', { department: 'public-security', machineType: 'id', site: SITES.civic, ui: true }),
    )
    specs.push(async () => {
      const kioskId = 'ps-proc'
      await credentials(kioskId)
      const config = testAgentConfig(kioskId, fleet.mqttUrl, {
        ui: { enabled: false },
        site: SITES.liuyang,
      })
      const dir = mkdtempSync(join(tmpdir(), 'kiosk-proc-'))
      const trustedRootFile = join(dir, 'root.json')
      writeFileSync(trustedRootFile, keys.rootJson)
      const configFile = join(dir, 'kiosk.json')
      writeFileSync(
        configFile,
        JSON.stringify({
          ...config,
          updates: {
            enabled: true,
            fleetUrl: fleet.httpUrl,
            trustedRootFile,
            gatePollMs: 100,
            downloadRetryMs: 100,
            healthCheckTimeoutMs: 30_000,
          },
        }),
      )
      const supervisor = new KioskProcessSupervisor(configFile)
      child = { kioskId, supervisor, dataDir: config.dataDir }
      supervisor.start()
      await waitFor(`${kioskId} online`, () => online(kioskId), 90_000)
    })
    const queue = [...specs]
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) await next()
      }),
    )
    started = Date.now() - t0
  })

  afterAll(async () => {
    await child?.supervisor.stop()
    for (const k of kiosks.values()) await k.stop().catch(() => undefined)
    for (const p of printers) {
      await p.emulator.stop().catch(() => undefined)
      await p.pty.close()
    }
    await observer?.endAsync()
    await fleet?.stop()
    await database?.drop()
    await keys?.cleanup()
    if (updatesDir) rmSync(updatesDir, { recursive: true, force: true })
    if (child) rmSync(child.dataDir, { recursive: true, force: true })
    for (const k of kiosks.values()) rmSync(k.dataDir, { recursive: true, force: true })
    process.stderr.write(`rollout-fleet: ${kiosks.size + 1} kiosks started in ${started} ms\n`)
  })

  it('rolls app 2.0.0 across both departments group by group, even through a kiosk killed while installing', async () => {
    expect(kiosks.size + 1).toBe(20)
    const release = await push(
      admin,
      { kind: 'app', version: '2.0.0', compatibility: { machineTypes: ['id', 'tax'] } },
      await releaseTarball('2.0.0', 1024 * 1024),
    )
    expect(release).toMatchObject({ status: 'ready', targetPath: 'app/2.0.0/kiosk-app-2.0.0.tar.gz' })
    // Not approved by tax yet: the tax kiosks are left out and counted.
    await approveArtifact(release.id, [[publicSecurity, 'public-security']])
    const early = await call<{ selected: number; excluded: { notApproved: number } }>(
      'POST',
      '/api/rollouts/preview',
      admin,
      { artifactId: release.id },
    )
    expect(early.body).toMatchObject({ selected: 12, excluded: { notApproved: 8 } })
    expect(
      (await call('POST', `/api/artifacts/${release.id}/approvals`, tax, { department: 'public-security' })).body,
    ).toMatchObject({ code: 'ERR_FLEET_DEPARTMENT_FORBIDDEN' })
    await approveArtifact(release.id, [[tax, 'tax']])

    const id = await rollout(
      { name: 'kiosk app 2.0.0', artifactId: release.id, groups: [{ count: 2 }, { percent: 50 }, { percent: 100 }] },
      lead,
    )
    // The power goes out at the child-process kiosk as soon as it reports installing.
    const proc = child as NonNullable<typeof child>
    const killed = waitFor(
      `${proc.kioskId} installing`,
      () => reports(proc.kioskId, id).some((r) => r.state === 'installing'),
      180_000,
      20,
    ).then(() => proc.supervisor.kill())

    const done = await untilStatus(id, 'completed', 200_000)
    await killed
    expect(proc.supervisor.exits).toContain('SIGKILL')
    expect(done.totals).toMatchObject({ total: 20, succeeded: 20 })
    expect(done.groupCounts.map((g) => g.size)).toEqual([2, 8, 10])
    for (const g of done.groupCounts) expect(g.states).toEqual({ succeeded: g.size })

    const all = await rows(id)
    expect(all).toHaveLength(20)
    expect(all.every((r) => r.state === 'succeeded')).toBe(true)
    // The per-group counts of the rollout match its kiosk rows.
    for (const g of done.groupCounts) expect(all.filter((r) => r.group === g.group)).toHaveLength(g.size)
    // The child-process kiosk lost power while installing and still ended on the new release.
    expect(all.find((r) => r.kioskId === proc.kioskId)?.state).toBe('succeeded')
    expect(reports(proc.kioskId, id).at(-1)).toMatchObject({ state: 'success', version: '2.0.0' })
    for (const g of [1, 2]) {
      const before = all.filter((r) => r.group === g - 1).map((r) => Date.parse(r.finishedAt ?? ''))
      const after = all.filter((r) => r.group === g).map((r) => Date.parse(r.notifiedAt ?? ''))
      expect(Math.min(...after)).toBeGreaterThanOrEqual(Math.max(...before))
    }
    for (const r of all) {
      const view = await kioskView(r.kioskId)
      expect(view, r.kioskId).toMatchObject({ appVersion: '2.0.0', state: 'online' })
      // Counted only once the kiosk came back on 2.0.0: after its success report and its new birth.
      const success = reports(r.kioskId, id).find((p) => p.state === 'success')
      expect(success, r.kioskId).toMatchObject({ version: '2.0.0' })
      const birth = births(r.kioskId).find((b) => b.appVersion === '2.0.0')
      expect(birth, r.kioskId).toBeDefined()
      const finished = Date.parse(r.finishedAt ?? '')
      expect(finished).toBeGreaterThanOrEqual(Number(success?.ts))
      expect(finished).toBeGreaterThanOrEqual(Number(birth?.ts))
    }
    for (const k of kiosks.values()) expect(k.agent.appVersion, k.kioskId).toBe('2.0.0')
  })

  it('halts a tax rollout whose release fails its health check; the first group rolls back by itself', async () => {
    const bad = await push(
      admin,
      { kind: 'app', version: '3.0.0', compatibility: { machineTypes: ['id', 'tax'] } },
      await releaseTarball('3.0.0'),
    )
    expect(bad.status).toBe('ready')
    await approveArtifact(bad.id, [[tax, 'tax']])
    const id = await rollout(
      {
        name: 'tax kiosks app 3.0.0',
        artifactId: bad.id,
        filter: { departments: ['tax'] },
        groups: [{ count: 3 }, { percent: 100 }],
        errorThreshold: 0.5,
        errorMinSample: 2,
      },
      tax,
    )
    const halted = await untilStatus(id, 'halted', 200_000)
    expect(halted.statusReason).toMatch(/of \d+ finished kiosks failed/)
    expect(halted.groupCounts.map((g) => g.size)).toEqual([3, 5])

    // Each kiosk of the first group reports the failed health check, then its own rollback; one that had
    // not begun installing when the rollout halted is cancelled instead.
    const all = await waitFor('the first group settled', async () => {
      const now = await rows(id)
      const first = now.filter((r) => r.group === 0)
      return first.every((r) => r.state === 'rolledBack' || r.state === 'cancelled') ? now : undefined
    })
    const first = all.filter((r) => r.group === 0)
    const second = all.filter((r) => r.group === 1)
    expect(first.filter((r) => r.state === 'rolledBack').length, JSON.stringify(first)).toBeGreaterThanOrEqual(2)
    for (const r of first) {
      await waitFor(`${r.kioskId} back on 2.0.0`, async () => {
        const view = await kioskView(r.kioskId)
        return view.state === 'online' && view.appVersion === '2.0.0' && kiosks.get(r.kioskId)?.agent.connected
      })
      expect(kiosks.get(r.kioskId)?.agent.appVersion).toBe('2.0.0')
      if (r.state === 'rolledBack') {
        expect(r.errorCode).toBe('ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED')
        expect(reports(r.kioskId, id)).toContainEqual(
          expect.objectContaining({ state: 'failure', errorCode: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED' }),
        )
      }
    }
    // The second group was never notified: no report from it, still on 2.0.0, never restarted for it.
    for (const r of second) {
      expect(r).toMatchObject({ state: 'cancelled', notifiedAt: null })
      expect(reports(r.kioskId, id)).toEqual([])
      expect(kiosks.get(r.kioskId)?.agent.appVersion).toBe('2.0.0')
    }
    const audit = await call<{ entries: { action: string; target: string }[] }>('GET', '/api/audit?limit=200', admin)
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'rollout.halt', target: id }))
  })

  it('holds the install while a citizen is served at the civic centre, and installs once the session ends', async () => {
    const kiosk = kiosks.get('civic-ui') as Supervised
    const citizen = kiosk.agent.citizen
    if (citizen === undefined) throw new Error('citizen services did not start')
    citizen.sessions.start('id-progress')
    const restarts = kiosk.restarts

    const release = await push(
      admin,
      { kind: 'app', version: '2.1.0', compatibility: { machineTypes: ['id'] } },
      await releaseTarball('2.1.0'),
    )
    await approveArtifact(release.id, [[publicSecurity, 'public-security']])
    const id = await rollout(
      {
        name: 'civic centre 2.1.0',
        artifactId: release.id,
        filter: { departments: ['public-security'], sites: [SITES.civic.id] },
        groups: [{ percent: 100 }],
      },
      publicSecurity,
    )
    const waiting = await waitFor(
      'downloaded, blocked by the session',
      async () =>
        (await rows(id)).find(
          (r) => r.kioskId === 'civic-ui' && r.state === 'downloaded' && r.blockedBy?.includes('sessionActive'),
        ),
      60_000,
    )
    expect(waiting.group).toBe(0)
    expect((await rows(id)).map((r) => r.kioskId)).toEqual(['civic-ui'])
    expect(kiosk.restarts).toBe(restarts)
    expect(kiosk.agent.appVersion).toBe('2.0.0')
    expect((await detail(id)).status).toBe('running')

    citizen.sessions.end('completed')
    const done = await untilStatus(id, 'completed')
    expect(done.totals).toMatchObject({ total: 1, succeeded: 1 })
    expect((await kioskView('civic-ui')).appVersion).toBe('2.1.0')
    expect(kiosk.agent.appVersion).toBe('2.1.0')
  })

  it('flashes vendor-signed firmware over XMODEM to the kiosks with the ESC/POS printer', async () => {
    epsonKey = generateTufKeyPair()
    const xprinterKey = generateTufKeyPair()
    for (const [vendor, key] of [
      ['epson', epsonKey],
      ['xprinter', xprinterKey],
    ] as const) {
      const answer = await call('POST', '/api/update-vendors', admin, {
        id: vendor,
        name: `${vendor} Ltd`,
        publicKeys: [publicKeyOf(key)],
        threshold: 1,
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    }
    const image = buildFirmwareImage({ model: ESC_MODEL, version: '2.10', payload: new Uint8Array(4096).fill(0x5a) })
    const firmware = await push(
      epsonVendor,
      {
        kind: 'firmware',
        version: '2.10',
        vendor: 'epson',
        deviceModel: ESC_MODEL,
        fileName: 'tm-t88v-2.10.bin',
        compatibility: { machineTypes: ['id'] },
      },
      image,
    )
    expect(firmware).toMatchObject({ status: 'signing', targetPath: `firmware/epson/${ESC_MODEL}/tm-t88v-2.10.bin` })

    const request = await call<{ role: string; metadata: { signed: { targets: Record<string, unknown> } } }>(
      'GET',
      `/api/artifacts/${firmware.id}/signing-request`,
      epsonVendor,
    )
    expect(request.status).toBe(200)
    expect(request.body.role).toBe('vendor-epson')

    // Epson's key over a document that also lists a path of xprinter's: refused, nothing published.
    const own = request.body.metadata.signed.targets[firmware.targetPath]
    const sneaky = structuredClone(request.body.metadata)
    sneaky.signed.targets['firmware/xprinter/xprinter-xp-t58h/fw-9.9.bin'] = own
    const refused = await call<{ code: string; details?: { reason?: string } }>(
      'POST',
      `/api/artifacts/${firmware.id}/signatures`,
      epsonVendor,
      { metadata: signVendorMetadata(sneaky, [epsonKey]).metadata },
    )
    expect(refused.status).toBe(422)
    expect(refused.body.code).toBe('ERR_FLEET_SIGNATURES_REJECTED')
    expect(refused.body.details?.reason, JSON.stringify(refused.body)).toBe('ERR_FLEET_UPDATE_PATH_OUTSIDE_VENDOR')
    expect((await call<{ status: string }>('GET', `/api/artifacts/${firmware.id}`, epsonVendor)).body.status).toBe(
      'signing',
    )

    const signed = signVendorMetadata(request.body.metadata, [epsonKey])
    const accepted = await call<{ status: string }>('POST', `/api/artifacts/${firmware.id}/signatures`, epsonVendor, {
      signatures: signed.signatures,
    })
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    expect(accepted.body.status).toBe('ready')
    await approveArtifact(firmware.id, [[publicSecurity, 'public-security']])

    const preview = await call<{ selected: number }>('POST', '/api/rollouts/preview', admin, {
      artifactId: firmware.id,
      filter: { deviceModels: [ESC_MODEL] },
    })
    expect(preview.body.selected, JSON.stringify([preview.body, (await kioskView('ps-01')).peripherals])).toBe(3)
    const id = await rollout(
      {
        name: 'TM-T88V firmware 2.10',
        artifactId: firmware.id,
        filter: { departments: ['public-security'], deviceModels: [ESC_MODEL] },
        groups: [{ count: 1 }, { percent: 100 }],
      },
      publicSecurity,
    )
    const done = await untilStatus(id, 'completed', 200_000)
    expect(done.totals).toMatchObject({ total: 3, succeeded: 3 })
    expect((await rows(id)).map((r) => r.kioskId).sort()).toEqual(printers.map((p) => p.kioskId).sort())
    for (const p of printers) {
      expect(p.emulator.nv.firmware, p.kioskId).toBe('2.10')
      const receipt = (await kioskView(p.kioskId)).peripherals.find((d) => d.deviceId === 'receipt')
      expect(receipt, p.kioskId).toMatchObject({ firmware: '2.10', hwRevision: 'M244A', status: { state: 'online' } })
      expect(reports(p.kioskId, id).at(-1)).toMatchObject({ state: 'success', version: '2.10' })
    }
  })
})

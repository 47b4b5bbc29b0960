/**
 * npm run bench:rollout [-- --kiosks 5000 --broker aedes|mosquitto --db pglite|postgres]
 *
 * A rollout to N simulated kiosks on the real fleet-server: each kiosk has its own MQTT connection,
 * announces itself with a birth (through ingest), answers `update`, reports downloading → downloaded →
 * installing → success and comes back with a birth on the new version. Measured from `start` until
 * every kiosk was notified, and until the rollout completed (every kiosk `succeeded`, which the
 * engine grants only after seeing the new version).
 *
 * Baseline, on the same broker with the same N connections in the same run: a bare MQTT.js client
 * publishes one QoS 1 message to each kiosk's own topic (fan-out) and collects one reply from each.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { allDefinitions } from '@drivers/registry'
import {
  createDevelopmentUpdateKeys,
  deviceModelCatalog,
  type FleetServer,
  loadFleetConfig,
  startFleetServer,
} from '@fleet/server'
import { type BirthPayload, sampleBirth, topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { type MosquittoProcess, startMosquitto } from '../../tests/support/mosquitto.ts'
import { newSimKioskState, type SimKioskState, simHandleRequest } from '../../tests/support/rollout-sim.ts'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '5000' },
    broker: { type: 'string', default: 'aedes' },
    db: { type: 'string', default: 'pglite' },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test',
    },
  },
})
const kioskCount = Number(values.kiosks)
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
const TIMEOUT_MS = 600_000
const ADMIN_PASSWORD = 'bench-admin-password'
const DEPARTMENTS = ['public-security', 'market-regulation', 'tax']

interface SimKiosk {
  state: SimKioskState
  client: MqttClient
}

async function until(what: string, done: () => boolean | Promise<boolean>, pollMs = 20): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, pollMs))
  }
  return performance.now()
}

/** Connects N kiosks, at most 200 connection handshakes at a time. */
async function connectKiosks(url: string): Promise<SimKiosk[]> {
  const kiosks: SimKiosk[] = []
  for (let start = 0; start < kioskCount; start += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, kioskCount - start) }, async (_, j) => {
        const i = start + j
        const kioskId = `bench-${String(i).padStart(5, '0')}`
        const birth: BirthPayload = {
          ...sampleBirth({ kioskId, seq: 1, ts: Date.now(), appVersion: '1.0.0' }),
          department: DEPARTMENTS[i % DEPARTMENTS.length] as string,
        }
        const client = await mqtt.connectAsync(url, {
          clientId: `kiosk-${kioskId}`,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
        })
        return { state: newSimKioskState(kioskId, birth), client }
      }),
    )
    kiosks.push(...batch)
  }
  return kiosks
}

/** Baseline: one bare client publishes to every kiosk's topic and collects a reply from each. */
async function bareFanOut(url: string, kiosks: SimKiosk[]): Promise<number> {
  const publisher = await mqtt.connectAsync(url, { clientId: 'bench-bare-publisher', protocolVersion: 4 })
  let replies = 0
  publisher.on('message', () => {
    replies += 1
  })
  await publisher.subscribeAsync('bench/v1/+/reply', { qos: 1 })
  await Promise.all(
    kiosks.map(async ({ state, client }) => {
      client.on('message', (topic, payload) => {
        if (topic.startsWith('bench/')) void client.publishAsync(`bench/v1/${state.kioskId}/reply`, payload, { qos: 1 })
      })
      await client.subscribeAsync(`bench/v1/${state.kioskId}/ping`, { qos: 1 })
    }),
  )
  const startedAt = performance.now()
  await Promise.all(
    kiosks.map(({ state }) =>
      publisher.publishAsync(`bench/v1/${state.kioskId}/ping`, JSON.stringify({ ts: Date.now() }), { qos: 1 }),
    ),
  )
  const doneAt = await until('bare replies', () => replies >= kiosks.length, 5)
  await publisher.endAsync()
  return doneAt - startedAt
}

async function api<T>(fleet: FleetServer, cookie: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${fleet.httpUrl}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`)
  return (text === '' ? {} : JSON.parse(text)) as T
}

async function login(fleet: FleetServer, username: string, password: string): Promise<string> {
  const response = await fetch(`${fleet.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const cookie = response.headers.get('set-cookie')?.split(';')[0]
  if (!response.ok || cookie === undefined) throw new Error(`login as ${username} failed: HTTP ${response.status}`)
  return cookie
}

/** A ready app release: created, uploaded in one PATCH, signed into TUF by the server, approved. */
async function pushRelease(fleet: FleetServer, cookie: string): Promise<string> {
  // A real (tiny) release: the fleet refuses an app release without a valid release.json.
  const bytes = await releaseTarball('1.1.0')
  const { createHash } = await import('node:crypto')
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const created = await api<{ artifact: { id: string }; upload: { id: string } }>(
    fleet,
    cookie,
    'POST',
    '/api/artifacts',
    {
      kind: 'app',
      version: '1.1.0',
      fileName: 'kiosk-app-1.1.0.tar.gz',
      length: bytes.length,
      sha256,
      compatibility: { machineTypes: [], hwRevisions: [] },
    },
  )
  const patched = await fetch(`${fleet.httpUrl}/api/uploads/${created.upload.id}`, {
    method: 'PATCH',
    headers: { cookie, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  })
  if (patched.status !== 204) throw new Error(`upload failed: HTTP ${patched.status} ${await patched.text()}`)
  for (const department of DEPARTMENTS) {
    await api(fleet, cookie, 'POST', `/api/artifacts/${created.artifact.id}/approvals`, { department })
  }
  return created.artifact.id
}

async function ourRollout(
  fleet: FleetServer,
  kiosks: SimKiosk[],
): Promise<{
  notifyMs: number
  notifyHalfMs: number
  notify90Ms: number
  completeMs: number
  status: string
  succeeded: number
}> {
  const admin = await login(fleet, 'admin', ADMIN_PASSWORD)
  // A second admin approves: nobody approves their own rollout.
  await api(fleet, admin, 'POST', '/api/users', {
    id: 'approver',
    displayName: 'Approver',
    password: ADMIN_PASSWORD,
    role: 'admin',
  })
  const approver = await login(fleet, 'approver', ADMIN_PASSWORD)
  const artifactId = await pushRelease(fleet, admin)

  const stamps: number[] = []
  await Promise.all(
    kiosks.map(async ({ state, client }) => {
      const publish = async (topic: string, payload: string) => {
        await client.publishAsync(topic, payload, { qos: 1 })
      }
      client.on('message', (topic, payload) => {
        const [, , , kind, command = ''] = topic.split('/')
        if (kind !== 'req') return
        if (command === 'update' && state.deployments.size === 0) stamps.push(performance.now())
        void simHandleRequest(state, command, payload.toString('utf8'), publish).catch(() => undefined)
      })
      await client.subscribeAsync(`kiosk/v1/${state.kioskId}/req/+`, { qos: 1 })
      await publish(topics.birth(state.kioskId), JSON.stringify(state.birth))
      await publish(topics.state(state.kioskId), JSON.stringify({ state: 'online', session: 1, ts: Date.now() }))
    }),
  )
  await until('every birth ingested', async () => {
    const [row] = await fleet.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM kiosks WHERE app_version = '1.0.0'`,
    )
    return (row?.n ?? 0) >= kiosks.length
  })

  const rollout = await api<{ id: string }>(fleet, admin, 'POST', '/api/rollouts', {
    name: 'bench',
    artifactId,
    groups: [{ percent: 100 }],
    successThreshold: 0.95,
    errorThreshold: 0.5,
    errorMinSample: 10,
    installMode: 'immediate',
    kioskTimeoutMs: 3_600_000,
  })
  await api(fleet, approver, 'POST', `/api/rollouts/${rollout.id}/approve`, {})
  const startedAt = performance.now()
  await api(fleet, admin, 'POST', `/api/rollouts/${rollout.id}/start`, {})
  const notifiedAt = await until('every kiosk notified', () => stamps.length >= kiosks.length, 5)
  const at = (fraction: number) => (stamps[Math.ceil(fraction * stamps.length) - 1] ?? notifiedAt) - startedAt
  let status = ''
  const completedAt = await until(
    'rollout completed',
    async () => {
      const detail = await api<{ status?: string; rollout?: { status: string } }>(
        fleet,
        admin,
        'GET',
        `/api/rollouts/${rollout.id}`,
      )
      status = detail.rollout?.status ?? detail.status ?? ''
      if (status === 'halted' || status === 'aborted') throw new Error(`rollout ${status}`)
      return status === 'completed'
    },
    100,
  )
  const [row] = await fleet.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rollout_kiosks WHERE rollout_id = $1 AND state = 'succeeded'`,
    [rollout.id],
  )
  return {
    notifyMs: notifiedAt - startedAt,
    notifyHalfMs: at(0.5),
    notify90Ms: at(0.9),
    completeMs: completedAt - startedAt,
    status,
    succeeded: row?.n ?? 0,
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-rollout-'))
  const schema = `bench_rollout_${Date.now()}`
  let mosquitto: MosquittoProcess | undefined
  let fleet: FleetServer | undefined
  let kiosks: SimKiosk[] = []
  try {
    const keys = await createDevelopmentUpdateKeys(join(work, 'ceremony'))
    if (values.broker === 'mosquitto') mosquitto = await startMosquitto()
    const config = loadFleetConfig({
      file: {
        http: { port: 0 },
        mqtt: mosquitto === undefined ? { embedded: { port: 0 } } : { url: mosquitto.url },
        // Simulated kiosks log in without credentials: the broker's security is measured elsewhere.
        broker: { requireCredentials: false },
        database:
          values.db === 'postgres' ? { url: values['postgres-url'], schema } : { pgliteDir: join(work, 'fleet-db') },
        auth: { initialAdminPassword: ADMIN_PASSWORD },
        updates: { dir: join(work, 'updates'), rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
        log: { level: 'silent' },
      },
    })
    fleet = await startFleetServer(config, logger, { deviceModels: deviceModelCatalog(allDefinitions) })
    console.log(
      `bench:rollout — ${kioskCount} simulated kiosks, one MQTT connection each; broker ${values.broker}, database ${values.db}; ` +
        'default settings (rollout tick, alerts on) but kiosk credentials, which bench:ingest measures; machine shared, figures noisy',
    )
    kiosks = await connectKiosks(fleet.mqttUrl)
    const bareMs = await bareFanOut(fleet.mqttUrl, kiosks)
    const ours = await ourRollout(fleet, kiosks)
    if (ours.succeeded !== kioskCount) throw new Error(`expected ${kioskCount} succeeded, found ${ours.succeeded}`)
    console.log(`bare fan-out, publish + collect 1 reply each  : ${bareMs.toFixed(0)} ms`)
    console.log(
      `rollout start → kiosks notified, 50% / 90% / all: ${ours.notifyHalfMs.toFixed(0)} / ${ours.notify90Ms.toFixed(0)} / ${ours.notifyMs.toFixed(0)} ms`,
    )
    console.log(
      `rollout start → completed (${ours.succeeded} succeeded, 5 reports + birth each): ${ours.completeMs.toFixed(0)} ms`,
    )
    console.log(`ratio notify / bare                            : ${(ours.notifyMs / bareMs).toFixed(2)}`)
    console.log(`ratio complete / bare                          : ${(ours.completeMs / bareMs).toFixed(2)}`)
  } finally {
    await Promise.all(kiosks.map(({ client }) => client.endAsync(true).catch(() => undefined)))
    await fleet?.stop()
    if (values.db === 'postgres' && fleet !== undefined) {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: values['postgres-url'] })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    }
    await mosquitto?.dispose()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
process.exit(0)

/** A gzip tarball holding only `release.json` (the kiosks of the bench never download it). */
async function releaseTarball(version: string): Promise<Uint8Array<ArrayBuffer>> {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { create } = await import('tar')
  const dir = mkdtempSync(join(tmpdir(), 'bench-release-'))
  try {
    writeFileSync(join(dir, 'release.json'), JSON.stringify({ version }))
    create({ gzip: true, file: join(dir, 'release.tar.gz'), cwd: dir, sync: true, portable: true }, ['release.json'])
    return Uint8Array.from(readFileSync(join(dir, 'release.tar.gz')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * npm run bench:ingest [-- --kiosks 1000 --messages 50000 --replicas 1 --history-minutes 60
 *                         --broker mosquitto|embedded]
 * npm run bench:ingest -- --steady [--kiosks 10000 --every-ms 10000 --seconds 60]
 *
 * The production path with default settings: fleet-server processes (`main.ts --config`, addresses
 * only) on PostgreSQL and Mosquitto with the generated config (kiosk credentials, ACL, queue limits),
 * or, with `--broker embedded`, one process with its embedded broker and PGlite, as one machine runs
 * it. Simulated kiosks (scripts/sim/sim-kiosk.ts: own credential, birth, QoS 1 outbox drain) each
 * publish their share of ~1 KB health messages onto a database already holding `--history-minutes`
 * of every kiosk's health history. Prints the committed rate next to a bare MQTT.js subscriber
 * draining the same load from the same kiosks on the same kind of broker in the same run, their
 * ratio, the fleet-server's CPU per message, and, with `--replicas 2`, what the replicas' ledger
 * counted missing (it must be 0).
 *
 * `--steady` measures a fleet at rest instead of a drain: every kiosk publishes one health message per
 * `--every-ms` (each at its own phase, as kiosks booted at different times do) for `--seconds`, on
 * Mosquitto + PostgreSQL, first to a bare subscriber in a process of its own, then to the
 * fleet-server; printed: the share of one core each spent, and their ratio (issue #14: 10,000 kiosks
 * at one message per 10 s within 10 % of a core).
 */
import { fork } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type Database, KioskCredentials, migrate, openPgliteDatabase, startEmbeddedBroker } from '@fleet/server'
import mqtt from 'mqtt'
import pino from 'pino'
import { deliveryRig } from '../../tests/support/delivery-rig.ts'
import { quietLogger, TEST_ADMIN_PASSWORD } from '../../tests/support/fleet.ts'
import { type FleetProcess, fleetProcess } from '../../tests/support/fleet-process.ts'
import { freePort } from '../../tests/support/free-port.ts'
import { TEST_FLEET_MQTT, TEST_FLEET_OBSERVER, testKioskPassword } from '../../tests/support/kiosk-credentials.ts'
import { type SimKiosk, simHealthPayload, startSimKiosk } from '../sim/sim-kiosk.ts'
import { login } from './http-load.ts'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '50000' },
    replicas: { type: 'string', default: '1' },
    'history-minutes': { type: 'string', default: '60' },
    broker: { type: 'string', default: 'mosquitto' },
    steady: { type: 'boolean', default: false },
    'every-ms': { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test',
    },
  },
})
const kioskCount = Number(values.kiosks)
const perKiosk = Math.ceil(Number(values.messages) / kioskCount)
const total = perKiosk * kioskCount
const replicaCount = Number(values.replicas)
const historyMinutes = Number(values['history-minutes'])
const embedded = values.broker === 'embedded'
if (embedded && replicaCount !== 1) throw new Error('--broker embedded runs one fleet-server (PGlite is one process)')
const steady = values.steady
const everyMs = Number(values['every-ms'])
const steadySeconds = Number(values.seconds)
if (steady && (embedded || replicaCount !== 1)) throw new Error('--steady runs one fleet-server on Mosquitto')
const TIMEOUT_MS = 600_000
/** Debian installs the broker in /usr/sbin, which a non-root PATH may lack. */
const MOSQUITTO = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto'
const logger = pino({ level: 'silent' })

/** Every kiosk's last `historyMinutes` of health at one report per 10 s, numbered below the run's. */
async function seedHistory(db: Database, kioskIds: string[]): Promise<number> {
  const perKioskRows = historyMinutes * 6
  if (perKioskRows === 0) return 0
  for (let i = 0; i < kioskIds.length; i += 100) {
    await db.query(
      `INSERT INTO health_history (kiosk_id, seq, ts, received_at, body)
       SELECT k, -s, now() - s * interval '10 seconds', now() - s * interval '10 seconds', $2::jsonb
       FROM unnest($1::text[]) AS k, generate_series(1, $3::int) AS s`,
      [kioskIds.slice(i, i + 100), simHealthPayload(0), perKioskRows],
    )
  }
  return kioskIds.length * perKioskRows
}

async function until(
  what: string,
  done: () => Promise<boolean>,
  progress?: () => string,
  timeoutMs = TIMEOUT_MS,
): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let said = Date.now()
  while (!(await done())) {
    if (progress !== undefined && Date.now() - said > 5000) {
      said = Date.now()
      process.stderr.write(`  waiting for ${what}: ${progress()}\n`)
    }
    if (Date.now() > deadline) throw new Error(`bench timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return performance.now()
}

/** Baseline: a bare MQTT.js subscriber that only counts what the kiosks drain, QoS 1. */
async function bareRate(url: string, kiosks: SimKiosk[], login: { username?: string; password?: string }) {
  const sub = await mqtt.connectAsync(url, { clientId: 'bench-bare', protocolVersion: 4, clean: true, ...login })
  let received = 0
  sub.on('message', () => {
    received += 1
  })
  await sub.subscribeAsync('kiosk/v1/+/health', { qos: 1 })
  const startedAt = performance.now()
  await Promise.all(kiosks.map((k) => k.drain(perKiosk)))
  const doneAt = await until(
    'the bare subscriber',
    async () => received >= total,
    () => `${received} of ${total}`,
  )
  await sub.endAsync()
  return total / ((doneAt - startedAt) / 1000)
}

/** The fleet: `written` summed over the replicas' `/api/ingest/stats`. */
async function fleetRate(replicas: FleetProcess[], kiosks: SimKiosk[]) {
  const sessions = await Promise.all(replicas.map((r) => login(r.httpUrl, 'admin', TEST_ADMIN_PASSWORD)))
  const written = async () => {
    let sum = 0
    for (const [i, r] of replicas.entries()) {
      const response = await fetch(`${r.httpUrl}/api/ingest/stats`, { headers: { cookie: sessions[i]?.cookie ?? '' } })
      sum += ((await response.json()) as { written: number }).written
    }
    return sum
  }
  // Births and the first statuses of the kiosks' connections, committed before the clock starts.
  await new Promise((r) => setTimeout(r, 2000))
  const before = await written()
  const cpuBefore = await Promise.all(replicas.map((r) => r.cpuSeconds()))
  const startedAt = performance.now()
  await Promise.all(kiosks.map((k) => k.drain(perKiosk)))
  let seen = before
  const doneAt = await until(
    'fleet ingest',
    async () => {
      seen = await written()
      return seen - before >= total
    },
    () => `${seen - before} of ${total} committed`,
  )
  const cpuAfter = await Promise.all(replicas.map((r) => r.cpuSeconds()))
  const cpu = cpuAfter.reduce((s, c, i) => s + c - (cpuBefore[i] ?? 0), 0)
  return { rate: total / ((doneAt - startedAt) / 1000), cpuUsPerMessage: (cpu * 1e6) / total }
}

const fleetDefaults = (database: Record<string, unknown>, mqttSettings: Record<string, unknown>) => ({
  http: { port: 0 },
  mqtt: mqttSettings,
  database,
  auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
})

async function onMosquitto() {
  const rig = await deliveryRig('bench', kioskCount, {
    postgresUrl: values['postgres-url'],
    mosquittoPath: MOSQUITTO,
  })
  const replicas: FleetProcess[] = []
  const kiosks: SimKiosk[] = []
  try {
    const seeded = await seedHistory(rig.db, rig.kioskIds)
    const broker = await rig.startMosquitto(3)
    console.log(
      `bench:ingest — production path, default settings: ${replicaCount} fleet-server process(es) on PostgreSQL ` +
        `(schema ${rig.database.config.schema}, ${seeded} history rows: ${historyMinutes} min of ${kioskCount} kiosks) and ` +
        `Mosquitto ${broker.url} (generated config, credentials, ACL); ${kioskCount} simulated kiosks, ${total} health ` +
        `messages of ${simHealthPayload(1).length} bytes, QoS 1; machine shared, figures noisy`,
    )
    kiosks.push(...(await rig.startKiosks(broker.url)))
    const baseline = await bareRate(broker.url, kiosks, TEST_FLEET_OBSERVER)
    const users = [TEST_FLEET_MQTT.username, `${TEST_FLEET_MQTT.username}-2`]
    for (let i = 0; i < replicaCount; i++) {
      const mqttSettings = {
        ...TEST_FLEET_MQTT,
        url: broker.url,
        username: users[i],
        clientId: users[i],
        ...(replicaCount > 1 ? { sharedGroup: 'fleet' } : {}),
      }
      replicas.push(fleetProcess(fleetDefaults(rig.database.config, mqttSettings), `bench-fleet-${i}`))
    }
    await Promise.all(replicas.map((r) => r.start()))
    // What the baseline drained went to the bare subscriber alone: only the fleet run's messages count.
    const drainedBefore = new Map(kiosks.map((k) => [k.kioskId, new Set(k.acked)]))
    const fleet = await fleetRate(replicas, kiosks)
    const notStored = async () => {
      const rows = await rig.db.query<{ kiosk_id: string; seq: string | number }>(
        'SELECT kiosk_id, seq FROM health_history WHERE seq > 0',
      )
      const stored = new Set(rows.map((r) => `${r.kiosk_id}#${Number(r.seq)}`))
      return kiosks.flatMap((k) =>
        [...k.acked].filter((seq) => !drainedBefore.get(k.kioskId)?.has(seq) && !stored.has(`${k.kioskId}#${seq}`)),
      ).length
    }
    const lost = await until(
      'every acknowledged message stored',
      async () => (await notStored()) === 0,
      undefined,
      60_000,
    )
      .then(() => 0)
      .catch(notStored)
    // The replicas' ledger waits out its grace period (30 s) before it counts a hole.
    if (replicaCount > 1) await new Promise((r) => setTimeout(r, 40_000))
    const [counted] = await rig.db.query<{ n: string | number }>(
      'SELECT coalesce(sum(missing_messages), 0) AS n FROM kiosks',
    )
    return { baseline, fleet, lost, countedMissing: Number(counted?.n ?? 0) }
  } finally {
    for (const r of replicas) await r.stop(10_000)
    await rig.close()
  }
}

async function onEmbedded() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'))
  const kioskIds = Array.from({ length: kioskCount }, (_, i) => `bench-${String(i).padStart(5, '0')}`)
  const db = await openPgliteDatabase(join(dir, 'db'))
  await migrate(db, quietLogger)
  const credentials = new KioskCredentials(db)
  for (const id of kioskIds) await credentials.issue(id, { password: testKioskPassword(id) })
  const seeded = await seedHistory(db, kioskIds)
  await db.close()
  const bare = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger })
  const kiosks: SimKiosk[] = []
  let fleet: FleetProcess | undefined
  try {
    console.log(
      `bench:ingest — one machine, default settings: a fleet-server process with its embedded broker (kiosk ` +
        `credentials) and PGlite (${seeded} history rows: ${historyMinutes} min of ${kioskCount} kiosks); ` +
        `${kioskCount} simulated kiosks, ${total} health messages of ${simHealthPayload(1).length} bytes, QoS 1; ` +
        'baseline: the embedded broker alone in this process; machine shared, figures noisy',
    )
    const bareKiosks = await Promise.all(
      kioskIds.map((kioskId) => startSimKiosk({ kioskId, url: bare.url, inflight: 20 })),
    )
    const baseline = await bareRate(bare.url, bareKiosks, {})
    await Promise.all(bareKiosks.map((k) => k.close()))
    await bare.close()
    const port = await freePort()
    fleet = fleetProcess(fleetDefaults({ pgliteDir: join(dir, 'db') }, { embedded: { port } }), 'bench-fleet')
    await fleet.start()
    const url = `mqtt://127.0.0.1:${port}`
    kiosks.push(
      ...(await Promise.all(
        kioskIds.map((kioskId) => startSimKiosk({ kioskId, url, password: testKioskPassword(kioskId), inflight: 20 })),
      )),
    )
    const rate = await fleetRate([fleet], kiosks)
    return { baseline, fleet: rate, lost: undefined, countedMissing: undefined }
  } finally {
    await Promise.all(kiosks.map((k) => k.close().catch(() => undefined)))
    await fleet?.stop(10_000)
    rmSync(dir, { recursive: true, force: true })
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Every kiosk publishes one health message per `everyMs` for `steadySeconds`, kiosk i first at
 * i/N of the period: an even load of N/everyMs messages a second from the start. Resolves with the
 * messages sent once the last is acknowledged.
 */
async function publishSteadily(kiosks: SimKiosk[]): Promise<number> {
  const end = Date.now() + steadySeconds * 1000
  let sent = 0
  await Promise.all(
    kiosks.map(async (kiosk, i) => {
      await sleep((everyMs * i) / kiosks.length)
      while (Date.now() < end) {
        const due = Date.now() + everyMs
        sent += 1
        await kiosk.drain(1)
        await sleep(due - Date.now())
      }
    }),
  )
  return sent
}

/** The bare subscriber's process (bare-subscriber.ts): its CPU seconds and messages received, on asking. */
async function bareSubscriberProcess(url: string) {
  const child = fork(
    new URL('./bare-subscriber.ts', import.meta.url).pathname,
    [url, TEST_FLEET_OBSERVER.username, TEST_FLEET_OBSERVER.password],
    { execArgv: ['--import', 'tsx'] },
  )
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`the bare subscriber ended with ${code} before subscribing`)))
  })
  return {
    report: () =>
      new Promise<{ received: number; cpuSeconds: number }>((resolve) => {
        child.once('message', (m) => resolve(m as { received: number; cpuSeconds: number }))
        child.send('report')
      }),
    stop: () => {
      child.disconnect()
    },
  }
}

async function steadyOnMosquitto() {
  const rig = await deliveryRig('bench', kioskCount, {
    postgresUrl: values['postgres-url'],
    mosquittoPath: MOSQUITTO,
  })
  let fleet: FleetProcess | undefined
  try {
    const seeded = await seedHistory(rig.db, rig.kioskIds)
    const broker = await rig.startMosquitto(3)
    console.log(
      `bench:ingest --steady — production path, default settings: a fleet-server process on PostgreSQL ` +
        `(schema ${rig.database.config.schema}, ${seeded} history rows: ${historyMinutes} min of ${kioskCount} kiosks) and ` +
        `Mosquitto ${broker.url} (generated config, credentials, ACL); ${kioskCount} simulated kiosks each publishing ` +
        `one health message of ${simHealthPayload(1).length} bytes per ${everyMs / 1000} s, QoS 1, for ${steadySeconds} s; ` +
        'baseline: a bare MQTT.js subscriber in its own process under the same load; machine shared, figures noisy',
    )
    const kiosks = await rig.startKiosks(broker.url)

    const bare = await bareSubscriberProcess(broker.url)
    const bareBefore = await bare.report()
    let startedAt = performance.now()
    const bareSent = await publishSteadily(kiosks)
    const bareAfter = await bare.report()
    const bareWall = (performance.now() - startedAt) / 1000
    bare.stop()

    fleet = fleetProcess(
      fleetDefaults(rig.database.config, { ...TEST_FLEET_MQTT, url: broker.url }),
      'bench-fleet-steady',
    )
    await fleet.start()
    const session = await login(fleet.httpUrl, 'admin', TEST_ADMIN_PASSWORD)
    const written = async () => {
      const response = await fetch(`${fleet?.httpUrl}/api/ingest/stats`, { headers: { cookie: session.cookie } })
      return ((await response.json()) as { written: number }).written
    }
    // The kiosks' retained births and states, committed before the clock starts: until nothing new for 3 s.
    for (let last = -1, now = await written(); now !== last; last = now, now = await written()) await sleep(3000)
    const before = await written()
    const cpuBefore = await fleet.cpuSeconds()
    startedAt = performance.now()
    const sent = await publishSteadily(kiosks)
    const cpu = (await fleet.cpuSeconds()) - cpuBefore
    const wall = (performance.now() - startedAt) / 1000
    const committed = await until(
      'the steady load committed',
      async () => (await written()) - before >= sent,
      undefined,
      60_000,
    )
      .then(() => sent)
      .catch(async () => (await written()) - before)
    return {
      bare: {
        sent: bareSent,
        received: bareAfter.received - bareBefore.received,
        core: (bareAfter.cpuSeconds - bareBefore.cpuSeconds) / bareWall,
      },
      fleet: { sent, committed, core: cpu / wall, cpuUsPerMessage: (cpu * 1e6) / sent },
    }
  } finally {
    await fleet?.stop(10_000)
    await rig.close()
  }
}

if (steady) {
  const { bare, fleet } = await steadyOnMosquitto()
  const rate = kioskCount / (everyMs / 1000)
  console.log(
    `offered                         : ${rate.toFixed(0)} msg/s (${kioskCount} kiosks, one per ${everyMs / 1000} s)`,
  )
  console.log(
    `bare MQTT.js subscriber         : ${(bare.core * 100).toFixed(1)} % of a core (${bare.received} of ${bare.sent} received)`,
  )
  console.log(
    `fleet-server                    : ${(fleet.core * 100).toFixed(1)} % of a core, ${fleet.cpuUsPerMessage.toFixed(0)} µs per message ` +
      `(${fleet.committed} of ${fleet.sent} committed); goal ≤ 10 % at 10,000 kiosks`,
  )
  console.log(`ratio fleet / bare              : ${(fleet.core / Math.max(bare.core, 1e-6)).toFixed(1)}`)
  process.exit(0)
}

const result = embedded ? await onEmbedded() : await onMosquitto()
console.log(`bare MQTT.js subscriber drain  : ${result.baseline.toFixed(0)} msg/s`)
console.log(
  `fleet-server ingest (committed): ${result.fleet.rate.toFixed(0)} msg/s with ${replicaCount} replica(s), ` +
    `${result.fleet.cpuUsPerMessage.toFixed(0)} µs of fleet-server CPU per message`,
)
console.log(`ratio fleet / bare             : ${(result.fleet.rate / result.baseline).toFixed(2)}`)
if (result.lost !== undefined) console.log(`acknowledged but not stored    : ${result.lost}`)
if (result.countedMissing !== undefined) console.log(`counted missing by the fleet   : ${result.countedMissing}`)
process.exit(0)

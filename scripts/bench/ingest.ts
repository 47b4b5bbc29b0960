/**
 * npm run bench:ingest [-- --messages 20000 --kiosks 50 --broker aedes|mosquitto --db pglite|postgres]
 *
 * Publishes N health messages (~1 KB, QoS 1) from simulated kiosks and prints the fleet-server's
 * sustained ingest rate (validated and committed to the database) next to a bare MQTT.js
 * subscriber's drain rate on the same kind of broker in the same run, and their ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { KioskCredentials, loadFleetConfig, startEmbeddedBroker, startFleetServer } from '@fleet/server'
import { type HealthPayload, sampleHealth, topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { type MosquittoProcess, startMosquitto } from '../../tests/support/mosquitto.ts'

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    kiosks: { type: 'string', default: '50' },
    broker: { type: 'string', default: 'aedes' },
    db: { type: 'string', default: 'pglite' },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test',
    },
  },
})
const total = Number(values.messages)
const kioskCount = Number(values.kiosks)
const perKiosk = Math.ceil(total / kioskCount)
const logger = pino({ level: 'silent' })
const TIMEOUT_MS = 300_000

/** A realistic health snapshot of a comprehensive machine, about 1 KB of JSON. */
function healthPayload(seq: number): string {
  const base = sampleHealth()
  const peripherals: HealthPayload['peripherals'] = [
    ...base.peripherals,
    {
      deviceId: 'a4',
      status: { state: 'online', paper: 'full', cover: 'closed' },
      counters: { jobs: 311, pages: 930 },
    },
    { deviceId: 'qr', status: { state: 'online' }, counters: { scans: 1201, discardedBytes: 0 } },
    { deviceId: 'scanner', status: { state: 'online', media: 'notPresent' }, counters: { pages: 87 } },
    { deviceId: 'sscard', status: { state: 'online', media: 'notPresent' }, counters: { reads: 54, pinFailures: 2 } },
  ]
  const services = [...base.services, { serviceId: 'ss-certificate', available: true, blockedBy: [] }]
  return JSON.stringify({ ...base, seq, ts: Date.now(), uptimeS: seq, peripherals, services })
}

/** Simulated kiosks publish their share with QoS 1, each with a bounded in-flight window. */
async function publishAll(
  url: string,
  idPrefix: string,
  passwordOf?: (kioskId: string) => string,
): Promise<{ startedAt: number; clients: MqttClient[] }> {
  const clients = await Promise.all(
    Array.from({ length: kioskCount }, (_, i) => {
      const kioskId = `${idPrefix}-k${i}`
      // On the secured embedded broker each simulated kiosk logs in as itself, as a real one does.
      const login = passwordOf === undefined ? {} : { username: kioskId, password: passwordOf(kioskId) }
      const clientId = passwordOf === undefined ? `${idPrefix}-${i}` : `kiosk-${kioskId}`
      return mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true, ...login })
    }),
  )
  const startedAt = performance.now()
  await Promise.all(
    clients.map(async (client, i) => {
      const kioskId = `${idPrefix}-k${i}`
      const window: Promise<unknown>[] = []
      for (let seq = 1; seq <= perKiosk && i * perKiosk + seq <= total + perKiosk; seq++) {
        if (i * perKiosk + seq > total) break
        window.push(client.publishAsync(topics.health(kioskId), healthPayload(seq), { qos: 1 }))
        if (window.length >= 32) await window.shift()
      }
      await Promise.all(window)
    }),
  )
  return { startedAt, clients }
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
  return performance.now()
}

async function withBroker<T>(run: (url: string) => Promise<T>): Promise<T> {
  if (values.broker === 'mosquitto') {
    const mosquitto: MosquittoProcess = await startMosquitto()
    try {
      return await run(mosquitto.url)
    } finally {
      await mosquitto.dispose()
    }
  }
  const aedes = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger })
  try {
    return await run(aedes.url)
  } finally {
    await aedes.close()
  }
}

/** Baseline: a bare MQTT.js subscriber that only counts, on the same kind of broker. */
async function bareSubscriberRate(): Promise<number> {
  return withBroker(async (url) => {
    const sub = await mqtt.connectAsync(url, { clientId: 'bare-sub', protocolVersion: 4 })
    let received = 0
    sub.on('message', () => {
      received += 1
    })
    await sub.subscribeAsync('kiosk/v1/+/health', { qos: 1 })
    const { startedAt, clients } = await publishAll(url, 'base')
    const doneAt = await until('bare subscriber', () => received >= total)
    await Promise.all(clients.map((c) => c.endAsync()))
    await sub.endAsync()
    return total / ((doneAt - startedAt) / 1000)
  })
}

/** The fleet-server: validate, batch and commit to the database. */
async function fleetIngestRate(): Promise<{ rate: number; rows: number; batches: number }> {
  const pgliteDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'))
  const schema = `bench_${Date.now()}`
  const database = values.db === 'postgres' ? { url: values['postgres-url'], schema } : { pgliteDir }
  const run = async (externalUrl: string | undefined) => {
    const config = loadFleetConfig({
      file: {
        http: { port: 0 },
        mqtt: externalUrl === undefined ? { embedded: { port: 0 } } : { url: externalUrl },
        database,
        log: { level: 'silent' },
      },
    })
    const fleet = await startFleetServer(config, logger)
    try {
      let passwordOf: ((kioskId: string) => string) | undefined
      if (externalUrl === undefined) {
        const credentials = new KioskCredentials(fleet.db)
        const passwords = new Map<string, string>()
        for (let i = 0; i < kioskCount; i++) passwords.set(`fleet-k${i}`, await credentials.issue(`fleet-k${i}`))
        passwordOf = (kioskId) => passwords.get(kioskId) ?? ''
      }
      const { startedAt, clients } = await publishAll(fleet.mqttUrl, 'fleet', passwordOf)
      const doneAt = await until('fleet ingest', () => fleet.ingestor.stats.written >= total)
      await Promise.all(clients.map((c) => c.endAsync()))
      const [row] = await fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM health_history')
      return { rate: total / ((doneAt - startedAt) / 1000), rows: row?.n ?? 0, batches: fleet.ingestor.stats.batches }
    } finally {
      await fleet.stop()
      if (values.db === 'postgres') await fleet.db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
    }
  }
  try {
    if (values.broker === 'mosquitto') return await withBroker((url) => run(url))
    return await run(undefined)
  } finally {
    rmSync(pgliteDir, { recursive: true, force: true })
  }
}

console.log(
  `bench:ingest — ${total} health messages of ${healthPayload(1).length} bytes, QoS 1, from ${kioskCount} simulated kiosks; broker ${values.broker}, database ${values.db}`,
)
const baseline = await bareSubscriberRate()
const fleet = await fleetIngestRate()
if (fleet.rows !== total) throw new Error(`expected ${total} rows in health_history, found ${fleet.rows}`)
console.log(`bare MQTT.js subscriber drain : ${baseline.toFixed(0)} msg/s`)
console.log(
  `fleet-server ingest (committed): ${fleet.rate.toFixed(0)} msg/s in ${fleet.batches} batches, ${fleet.rows} rows`,
)
console.log(`ratio fleet / bare            : ${(fleet.rate / baseline).toFixed(2)}`)
process.exit(0)

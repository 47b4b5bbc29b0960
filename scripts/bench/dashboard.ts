/**
 * npm run bench:dashboard [-- --kiosks 20000 --requests 200]
 *
 * Seeds PostgreSQL with the latest state of N kiosks (births, presence and health through the real
 * ingest store; the write rate is the ingest figure), then measures the p50/p99 latency of the
 * fleet-overview and kiosk-list API calls (a page of 100, and one site) and the alert engine's
 * evaluation throughput over the whole fleet, next to the ingest rate.
 */
import { parseArgs } from 'node:util'
import {
  AlertEngine,
  AuditLog,
  buildApp,
  CommandSender,
  DEFAULT_ALERT_POLICY,
  emptyBatch,
  IdentityRepo,
  Ingestor,
  IngestStore,
  KioskRepo,
  LiveHub,
  migrate,
  openPostgresDatabase,
} from '@fleet/server'
import { createCodecs, type HealthPayload, type MachineType, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '200' },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test',
    },
  },
})
const total = Number(values.kiosks)
const requests = Number(values.requests)
const logger = pino({ level: 'silent' })
const schema = `bench_dash_${Date.now()}`
const db = await openPostgresDatabase({ url: values['postgres-url'], schema, max: 10 })
const TYPES: MachineType[] = ['id', 'license', 'tax', 'social-security', 'comprehensive']
const DEPARTMENTS = ['public-security', 'market-regulation', 'tax', 'human-resources', 'government-services']

try {
  await migrate(db, logger)
  const store = new IngestStore(db)
  const now = Date.now()
  // 135 town centres and their village stations, as in the reference city; kiosks spread over them.
  const siteOf = (i: number) => {
    const town = i % 135
    const station = Math.floor(i / 135) % 21
    const county = `县${(town % 12) + 1}`
    const base = sampleBirth().site
    return station === 0
      ? {
          ...base,
          id: `tc-${town}`,
          name: `镇${town}便民服务中心`,
          kind: 'townCentre' as const,
          county,
          town: `镇${town}`,
        }
      : {
          ...base,
          id: `vs-${town}-${station}`,
          name: `村${town}-${station}便民服务站`,
          kind: 'villageStation' as const,
          county,
          town: `镇${town}`,
        }
  }
  const health = (seq: number, i: number): HealthPayload => {
    const h = sampleHealth({ seq, ts: now })
    // Most printers are fine; one kiosk in fifty is out of paper (an alert to raise).
    const receipt: HealthPayload['peripherals'][number]['status'] =
      i % 50 === 0 ? { state: 'userError', paper: 'out' } : { state: 'online', paper: 'full' }
    h.peripherals = h.peripherals.map((p) => (p.deviceId === 'receipt' ? { ...p, status: receipt } : p))
    return h
  }
  const seedStart = performance.now()
  const batchSize = 1000
  for (let start = 0; start < total; start += batchSize) {
    const b = emptyBatch()
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const kioskId = `k${String(i).padStart(6, '0')}`
      const machineType = TYPES[i % TYPES.length] as MachineType
      b.births.push({
        kioskId,
        payload: sampleBirth({
          kioskId,
          machineType,
          department: DEPARTMENTS[i % DEPARTMENTS.length],
          site: siteOf(i),
          seq: 1,
          ts: now,
        }),
        receivedAt: now,
      })
      b.states.push({
        kioskId,
        payload: { state: i % 40 === 0 ? 'offline' : 'online', session: 1, ts: now },
        receivedAt: now,
      })
      b.health.push({ kioskId, payload: health(2, i), receivedAt: now })
    }
    await store.writeBatch(b)
  }
  const seedS = (performance.now() - seedStart) / 1000
  const ingestRate = (total * 3) / seedS

  const codecs = createCodecs()
  const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger, now: () => now + 1000 })
  const identity = new IdentityRepo(db)
  await identity.createUser({ id: 'bench', displayName: 'bench', password: 'bench-password-123', role: 'admin' })
  const { token } = await identity.createApiToken('bench', 'bench', undefined)
  const app = await buildApp({
    db,
    ingestor: new Ingestor({ store, codecs, logger, maxBatch: 1000, maxDelayMs: 50, maxQueue: 10_000 }),
    commands: new CommandSender({ publish: async () => undefined, codecs, db, logger }),
    live: new LiveHub(new KioskRepo(db), logger),
    identity,
    audit: new AuditLog(db),
    alerts,
    mqttConnected: () => true,
    commandDefaults: { timeoutMs: 1000, ttlMs: 1000 },
    auth: { sessionTtlMs: 3_600_000, secureCookies: false },
    dashboard: {},
    logger,
  })

  const evalStart = performance.now()
  const events = await alerts.evaluate()
  const evalS = (performance.now() - evalStart) / 1000

  const latency = async (url: string) => {
    const times: number[] = []
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now()
      const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
      if (response.statusCode !== 200) throw new Error(`${url}: HTTP ${response.statusCode}`)
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0
    return `p50 ${at(0.5).toFixed(1)} ms  p99 ${at(0.99).toFixed(1)} ms`
  }

  console.log(
    `bench:dashboard — ${total} kiosks' latest state in PostgreSQL (schema ${schema}), ${requests} requests each`,
  )
  console.log(`ingest (births + presence + health, batches of ${batchSize}): ${ingestRate.toFixed(0)} msg/s`)
  console.log(`GET /api/overview                   ${await latency('/api/overview')}`)
  console.log(`GET /api/kiosks?limit=100           ${await latency('/api/kiosks?limit=100')}`)
  console.log(`GET /api/kiosks?site=tc-7           ${await latency('/api/kiosks?site=tc-7')}`)
  console.log(`GET /api/alerts                     ${await latency('/api/alerts?limit=100')}`)
  const evalRate = total / evalS
  console.log(
    `alert evaluation, whole fleet: ${evalRate.toFixed(0)} kiosks/s (${events.length} alerts raised in ${evalS.toFixed(1)} s)`,
  )
  console.log(`ratio alert evaluation / ingest: ${(evalRate / ingestRate).toFixed(2)}`)
  await app.close()
  await alerts.stop()
} finally {
  await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
  await db.close()
}

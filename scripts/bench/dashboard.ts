/**
 * npm run bench:dashboard [-- --kiosks 20000 --requests 200]
 *
 * Seeds PostgreSQL with the latest state of N kiosks (births, presence and health through the real
 * ingest store; the write rate is the ingest figure), then measures the p50/p99 latency of the
 * fleet-overview and kiosk-list API calls (a page of 100, and one site) and the alert engine's
 * evaluation throughput over the whole fleet, next to the ingest rate.
 *
 * The services page: each kiosk offers 15 of the demo catalogue's services (one kiosk in thirty has
 * one blocked); the daily availability roll-up is filled for 30 days (what 2,880 snapshots a day of
 * each kiosk leave there), then `GET /api/services` and a service's kiosk page are timed for an
 * admin and a department user, and the roll-up's share of a health batch's write is measured.
 */
import { parseArgs } from 'node:util'
import {
  AlertEngine,
  AuditLog,
  buildApp,
  CommandSender,
  DEFAULT_ALERT_POLICY,
  DEFAULT_CATALOGUE_DIR,
  emptyBatch,
  IdentityRepo,
  Ingestor,
  IngestStore,
  KioskRepo,
  LiveHub,
  loadCatalogueDir,
  migrate,
  openPostgresDatabase,
  rollUpServiceAvailability,
} from '@fleet/server'
import { createCodecs, type HealthPayload, type MachineType, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '200' },
    /** Leave the schema in place (to EXPLAIN the queries by hand); dropped otherwise. */
    keep: { type: 'boolean', default: false },
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
  const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
  const serviceIds = catalogue.services.map((s) => s.id)
  const offered = (i: number) =>
    Array.from({ length: 15 }, (_, j) => serviceIds[(i * 7 + j) % serviceIds.length] as string).map((serviceId, j) =>
      i % 30 === 0 && j === 0
        ? { serviceId, available: false, blockedBy: ['receipt'], reason: 'peripheral' as const }
        : { serviceId, available: true, blockedBy: [] },
    )
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
    h.services = offered(i)
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

  // What the daily roll-up costs ingest: a batch of 1,000 health messages (15 services each) written
  // whole, and the roll-up's statement alone for the same snapshots (rows new, as at a day's first
  // snapshot, and rows updated, as all day after).
  const rollupBatch = emptyBatch()
  for (let i = 0; i < Math.min(total, 1000); i++) {
    rollupBatch.health.push({ kioskId: `k${String(i).padStart(6, '0')}`, payload: health(3, i), receivedAt: now })
  }
  const t0 = performance.now()
  await store.writeBatch(rollupBatch)
  const batchMs = performance.now() - t0
  const snapshots = rollupBatch.health.map((h) => ({
    kioskId: h.kioskId,
    ts: now + 86_400_000,
    services: h.payload.services,
  }))
  const t1 = performance.now()
  await db.transaction((tx) => rollUpServiceAvailability(tx, snapshots))
  const rollupInsertMs = performance.now() - t1
  const t2 = performance.now()
  await db.transaction((tx) => rollUpServiceAvailability(tx, snapshots))
  const rollupUpdateMs = performance.now() - t2

  // 30 days of the roll-up: each kiosk's services, a day's 2,880 snapshots each (a 30 s health interval).
  const rollupStart = performance.now()
  await db.query(
    `INSERT INTO service_availability_daily (kiosk_id, day, service_id, snapshots, available)
     SELECT k.id, d::date, s ->> 'serviceId', 2880, CASE WHEN (s ->> 'available')::boolean THEN 2880 ELSE 2000 END
     FROM kiosks k CROSS JOIN LATERAL jsonb_array_elements(k.last_health -> 'services') AS s
       CROSS JOIN generate_series(current_date - 29, current_date, interval '1 day') AS d
     ON CONFLICT DO NOTHING`,
  )
  await db.query(
    `INSERT INTO service_availability_department_daily (department, day, service_id, snapshots, available)
     SELECT coalesce(k.department, ''), d.day, d.service_id, sum(d.snapshots), sum(d.available)
     FROM service_availability_daily d JOIN kiosks k ON k.id = d.kiosk_id
     GROUP BY 1, 2, 3
     ON CONFLICT DO NOTHING`,
  )
  // Statistics as autovacuum keeps them on a running fleet (the planner picks the scopes' plans by them).
  for (const table of [
    'kiosks',
    'peripherals',
    'sites',
    'service_availability_daily',
    'service_availability_department_daily',
  ]) {
    await db.query(`ANALYZE ${table}`)
  }
  const rollupRows = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_availability_daily'))[0]?.n
  const rollupS = (performance.now() - rollupStart) / 1000

  const codecs = createCodecs()
  const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger, now: () => now + 1000 })
  const identity = new IdentityRepo(db)
  await identity.createUser({ id: 'bench', displayName: 'bench', password: 'bench-password-123', role: 'admin' })
  const { token } = await identity.createApiToken('bench', 'bench', undefined)
  await identity.createUser({
    id: 'bench-tax',
    displayName: 'bench-tax',
    password: 'bench-password-123',
    role: 'department',
    departments: ['tax'],
  })
  const { token: departmentToken } = await identity.createApiToken('bench-tax', 'bench', undefined)
  const password = 'bench-password-123'
  await identity.createUser({ id: 'bench-site', displayName: 'site', password, role: 'site', sites: ['tc-7'] })
  // Every simulated kiosk has an Epson printer: this vendor's scope is the whole fleet, read per kiosk.
  await identity.createUser({ id: 'bench-vendor', displayName: 'vendor', password, role: 'vendor', vendors: ['Epson'] })
  const { token: siteToken } = await identity.createApiToken('bench-site', 'bench', undefined)
  const { token: vendorToken } = await identity.createApiToken('bench-vendor', 'bench', undefined)
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
    catalogue: async () => catalogue,
  })

  const evalStart = performance.now()
  const events = await alerts.evaluate()
  const evalS = (performance.now() - evalStart) / 1000

  const latency = async (url: string, bearer = token, count = requests) => {
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      const response = await app.inject({ url, headers: { authorization: `Bearer ${bearer}` } })
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
  // The services page reads 20,000 kiosks' latest health and the whole roll-up: fewer requests.
  const few = Math.max(5, Math.floor(requests / 10))
  const busiest = serviceIds[0] as string
  console.log(`services roll-up: ${rollupRows} rows (30 days) written in ${rollupS.toFixed(1)} s`)
  console.log(`GET /api/services (admin)           ${await latency('/api/services', token, few)}`)
  console.log(`GET /api/services (department)      ${await latency('/api/services', departmentToken, few)}`)
  console.log(`GET /api/services (one site)        ${await latency('/api/services', siteToken, few)}`)
  console.log(`GET /api/services (vendor, all)     ${await latency('/api/services', vendorToken, few)}`)
  console.log(
    `GET /api/services/:id/kiosks        ${await latency(`/api/services/${busiest}/kiosks?limit=100`, token, few)}`,
  )
  console.log(
    `health batch of 1000 (15 services each): ${batchMs.toFixed(0)} ms written whole; its roll-up alone ` +
      `${rollupInsertMs.toFixed(0)} ms new rows, ${rollupUpdateMs.toFixed(0)} ms updated rows`,
  )
  const evalRate = total / evalS
  console.log(
    `alert evaluation, whole fleet: ${evalRate.toFixed(0)} kiosks/s (${events.length} alerts raised in ${evalS.toFixed(1)} s)`,
  )
  console.log(`ratio alert evaluation / ingest: ${(evalRate / ingestRate).toFixed(2)}`)
  await app.close()
  await alerts.stop()
} finally {
  if (values.keep) console.log(`schema ${schema} kept`)
  else await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
  await db.close()
}

/**
 * npm run bench:dashboard [-- --kiosks 20000 --sites 3000 --seconds 10 --concurrency 1,8
 *   --ingest-rate N --ingest-burst 10000 --no-browser --keep]
 *
 * The production path with default settings: the fleet-server as its own process (main.ts, its
 * composition root, as systemd runs it; every setting at its default but the addresses) on PostgreSQL
 * and a private Mosquitto
 * (Debian's, configured as `fleet-server mosquitto-config` configures production), listening on real
 * HTTP. N kiosks over S sites (135 town centres, the rest village stations) are seeded through the
 * real ingest store. Logged-in clients (real login, session cookie, Node fetch with keep-alive), 1 and
 * 8 at a time, then read the overview, a kiosk list page, a search, one site's kiosks, the map's
 * sites, the site tree and the alerts, while simulated kiosks publish health messages at half the
 * sustainable ingest rate measured first in the same run (the highest steady load kept, found from a
 * burst's rate downwards; or given with --ingest-rate). Printed:
 * p50/p99 per endpoint and concurrency with its goal and its ratio to `/healthz` over the same
 * clients (the server's floor); ingest offered vs kept; publish → visible on the live dashboard's
 * stream and in the API at half the sustainable rate (visible-probe.ts); the dashboard's first render
 * in Chromium.
 *
 * The services page (kept from the earlier bench): each kiosk offers 15 of the demo catalogue's
 * services (one kiosk in thirty has one blocked); the daily availability roll-up is filled for 30 days,
 * then `GET /api/services` and a service's kiosk page are timed for each role over HTTP, and the
 * roll-up's share of a health batch's write is measured.
 *
 * To see where the fleet-server's time goes: PROFILE_FLEET_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
 * (node flags for the fleet-server process alone; its profile is written when it stops).
 */
import { parseArgs } from 'node:util'
import {
  AlertEngine,
  DEFAULT_ALERT_POLICY,
  DEFAULT_CATALOGUE_DIR,
  emptyBatch,
  IdentityRepo,
  IngestStore,
  loadCatalogueDir,
  openPostgresDatabase,
  rollUpServiceAvailability,
} from '@fleet/server'
import { type HealthPayload, type MachineType, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { launchChromium } from '../../tests/support/browser.ts'
import { fleetProcess } from '../../tests/support/fleet-process.ts'
import { startMosquitto } from '../../tests/support/mosquitto.ts'
import { type HttpClient, type Latency, login, measure } from './http-load.ts'
import { IngestLoad } from './ingest-load.ts'
import { publishToVisible } from './visible-probe.ts'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '20000' },
    sites: { type: 'string', default: '3000' },
    /** Seconds of load per endpoint and concurrency. */
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1,8' },
    /** The sustainable ingest rate, msg/s; measured first in this run when not given. */
    'ingest-rate': { type: 'string' },
    /** Messages of the burst that measures the sustainable rate. */
    'ingest-burst': { type: 'string', default: '10000' },
    /** Simulated kiosks that publish the ingest load. */
    publishers: { type: 'string', default: '100' },
    'no-browser': { type: 'boolean', default: false },
    /** Leave the schema in place (to EXPLAIN the queries by hand); dropped otherwise. */
    keep: { type: 'boolean', default: false },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test',
    },
  },
})
const total = Number(values.kiosks)
const siteCount = Math.max(1, Number(values.sites))
const seconds = Number(values.seconds)
const concurrencies = values.concurrency.split(',').map(Number)
const logger = pino({ level: 'silent' })
const schema = `bench_dash_${Date.now()}`
const TYPES: MachineType[] = ['id', 'license', 'tax', 'social-security', 'comprehensive']
const DEPARTMENTS = ['public-security', 'market-regulation', 'tax', 'human-resources', 'government-services']
const TOWNS = 135
const PASSWORD = 'bench-password-123'
const kioskId = (i: number) => `k${String(i).padStart(6, '0')}`

const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
const serviceIds = catalogue.services.map((s) => s.id)
const offered = (i: number) =>
  Array.from({ length: 15 }, (_, j) => serviceIds[(i * 7 + j) % serviceIds.length] as string).map((serviceId, j) =>
    i % 30 === 0 && j === 0
      ? { serviceId, available: false, blockedBy: ['receipt'], reason: 'peripheral' as const }
      : { serviceId, available: true, blockedBy: [] },
  )

/** Site n of S: the first 135 are the town centres, the others village stations spread over the towns. */
function siteOf(n: number) {
  const town = n % TOWNS
  const county = `县${(town % 12) + 1}`
  const base = sampleBirth().site
  return n < TOWNS
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
        id: `vs-${town}-${Math.floor(n / TOWNS)}`,
        name: `村${town}-${Math.floor(n / TOWNS)}便民服务站`,
        kind: 'villageStation' as const,
        county,
        town: `镇${town}`,
        // Spread over the map, as real stations are.
        latitude: 30 + (n % 97) / 100,
        longitude: 120 + (n % 89) / 100,
      }
}

function health(seq: number, i: number, ts: number): HealthPayload {
  const h = sampleHealth({ seq, ts })
  // Most printers are fine; one kiosk in fifty is out of paper (an alert to raise).
  const receipt: HealthPayload['peripherals'][number]['status'] =
    i % 50 === 0 ? { state: 'userError', paper: 'out' } : { state: 'online', paper: 'full' }
  h.peripherals = h.peripherals.map((p) => (p.deviceId === 'receipt' ? { ...p, status: receipt } : p))
  h.services = offered(i)
  return h
}

const fmt = (l: Latency) => `p50 ${l.p50.toFixed(1).padStart(6)} ms  p99 ${l.p99.toFixed(1).padStart(6)} ms`

const mosquitto = await startMosquitto()
// The server's own process: its event loop is not shared with this script's clients and publishers.
const fleet = fleetProcess(
  { http: { port: 0 }, mqtt: { url: mosquitto.url }, database: { url: values['postgres-url'], schema } },
  'bench-fleet',
)
await fleet.start()
const base = fleet.httpUrl
// This script's own handle on the fleet's database (migrated by the server): seeding and users.
const db = await openPostgresDatabase({ url: values['postgres-url'], schema })
let ingest: IngestLoad | undefined
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined

try {
  console.log(
    `bench:dashboard — production path, default settings: fleet-server process (main.ts --config, addresses only) ` +
      `on PostgreSQL (schema ${schema}, default pool) and Mosquitto ${mosquitto.url} (production config), HTTP ${base}; ` +
      'load generators in this process; machine shared, figures noisy',
  )
  const store = new IngestStore(db)
  const now = Date.now()
  const seedStart = performance.now()
  const batchSize = 1000
  for (let start = 0; start < total; start += batchSize) {
    const b = emptyBatch()
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const id = kioskId(i)
      b.births.push({
        kioskId: id,
        payload: sampleBirth({
          kioskId: id,
          machineType: TYPES[i % TYPES.length] as MachineType,
          department: DEPARTMENTS[i % DEPARTMENTS.length],
          site: siteOf(i % siteCount),
          seq: 1,
          ts: now,
        }),
        receivedAt: now,
      })
      b.states.push({
        kioskId: id,
        payload: { state: i % 40 === 0 ? 'offline' : 'online', session: 1, ts: now },
        receivedAt: now,
      })
      b.health.push({ kioskId: id, payload: health(2, i, now), receivedAt: now })
    }
    await store.writeBatch(b)
  }
  const seedS = (performance.now() - seedStart) / 1000
  console.log(
    `seeded ${total} kiosks over ${siteCount} sites (${TOWNS} towns) through the ingest store in ${seedS.toFixed(1)} s`,
  )

  // The whole fleet's alerts (paper out at one kiosk in fifty), as the running engine raises them.
  const evalStart = performance.now()
  const alerts = new AlertEngine({ db, policy: DEFAULT_ALERT_POLICY, logger })
  const raised = await alerts.evaluate()
  await alerts.stop()
  const evalS = (performance.now() - evalStart) / 1000

  // 30 days of the services roll-up: each kiosk's services, a day's 2,880 snapshots each, of two kinds
  // where its latest health has services down (2,000 with all up, 880 with those down). A kind's
  // signature is a digest of its two lists, as the roll-up's (one pair of lists per signature).
  await db.query(
    `INSERT INTO service_snapshots_daily (kiosk_id, day, signature, services, unavailable, snapshots, open_snapshots)
     SELECT k.id, d::date, md5(array_to_string(l.services, ' ') || '|' || array_to_string(kind.unavailable, ' ')),
            l.services, kind.unavailable, kind.n, 0
     FROM kiosks k JOIN kiosk_health kh ON kh.kiosk_id = k.id
       CROSS JOIN LATERAL (
         SELECT array_agg(s ->> 'serviceId' ORDER BY s ->> 'serviceId') AS services,
                coalesce(array_agg(s ->> 'serviceId' ORDER BY s ->> 'serviceId')
                  FILTER (WHERE NOT (s ->> 'available')::boolean), '{}') AS down
         FROM jsonb_array_elements(kh.last_health -> 'services') AS s
       ) l
       CROSS JOIN LATERAL (VALUES ('all-up', '{}'::text[], CASE WHEN l.down = '{}' THEN 2880 ELSE 2000 END),
                                  ('some-down', l.down, 880)) AS kind(name, unavailable, n)
       CROSS JOIN generate_series(current_date - 29, current_date, interval '1 day') AS d
     WHERE l.services IS NOT NULL AND (kind.name = 'all-up' OR l.down <> '{}')
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
  for (const table of ['kiosks', 'peripherals', 'sites', 'alerts', 'service_snapshots_daily']) {
    await db.query(`ANALYZE ${table}`)
  }

  const identity = new IdentityRepo(db)
  const users: [string, Parameters<IdentityRepo['createUser']>[0]][] = [
    ['admin', { id: 'bench', displayName: 'bench', password: PASSWORD, role: 'admin' }],
    [
      'department',
      { id: 'bench-tax', displayName: 'tax', password: PASSWORD, role: 'department', departments: ['tax'] },
    ],
    ['site', { id: 'bench-site', displayName: 'site', password: PASSWORD, role: 'site', sites: ['tc-7'] }],
    // Every simulated kiosk has an Epson printer: this vendor's scope is the whole fleet, read per kiosk.
    ['vendor', { id: 'bench-vendor', displayName: 'vendor', password: PASSWORD, role: 'vendor', vendors: ['epson'] }],
  ]
  for (const [, user] of users) await identity.createUser(user)
  const maxClients = Math.max(...concurrencies)
  const admins: HttpClient[] = []
  for (let n = 0; n < maxClients; n++) admins.push(await login(base, 'bench', PASSWORD))
  const as = async (id: string) => [await login(base, id, PASSWORD)]

  // Ingest: the sustainable rate first (a burst as fast as the fleet commits), then half of it throughout.
  const ts = () => Date.now()
  ingest = new IngestLoad({
    brokerUrl: mosquitto.url,
    kioskIds: Array.from({ length: Math.min(total, Number(values.publishers)) }, (_, n) =>
      kioskId(Math.floor((n * total) / Math.min(total, Number(values.publishers)))),
    ),
    payload: (id, seq) => JSON.stringify(health(seq, Number(id.slice(1)), ts())),
    written: async () => {
      const response = await fetch(`${base}/api/ingest/stats`, {
        headers: { cookie: (admins[0] as HttpClient).cookie },
      })
      return ((await response.json()) as { written: number }).written
    },
  })
  await ingest.connect()
  let sustainable: number
  if (values['ingest-rate'] !== undefined) {
    sustainable = Number(values['ingest-rate'])
    console.log(`ingest sustainable rate: ${sustainable.toFixed(0)} msg/s (given)`)
  } else {
    const burst = await ingest.sustainable(Number(values['ingest-burst']))
    console.log(`ingest burst: ${values['ingest-burst']} health messages committed at ${burst.toFixed(0)} msg/s`)
    sustainable = await ingest.steadyRate(burst, Math.max(5, seconds), (line) => console.log(line))
    console.log(`ingest sustainable rate: ${sustainable.toFixed(0)} msg/s (the highest steady load kept, no readers)`)
  }
  const halfRate = sustainable / 2
  console.log(`load offered throughout: ${halfRate.toFixed(0)} msg/s (half the sustainable rate)`)
  console.log(`alert evaluation, whole fleet: ${(total / evalS).toFixed(0)} kiosks/s (${raised.length} alerts raised)`)

  // Ingest alone at half rate: what it keeps with no reader (the baseline of "unchanged").
  const quiet = await ingest.paced(halfRate)
  await new Promise((r) => setTimeout(r, Math.max(3, seconds) * 1000))
  const quietRun = await quiet.stop()

  const endpoints: [string, string[]][] = [
    ['overview', ['/api/overview']],
    ['kiosk list page', ['/api/kiosks?limit=50&offset=0', `/api/kiosks?limit=50&offset=${Math.floor(total / 4)}`]],
    ['kiosk search', ['/api/kiosks?q=%E9%95%877&limit=50', '/api/kiosks?q=k0123&limit=50']],
    [
      'site view',
      ['/api/kiosks?site=tc-7&limit=50', `/api/kiosks?site=vs-7-${Math.floor((siteCount - 1) / TOWNS)}&limit=50`],
    ],
    ['map (sites)', ['/api/sites']],
    ['site tree', ['/api/sites/tree']],
    ['alerts list', ['/api/alerts?limit=50']],
  ]
  const goal = (c: number) => (c <= 1 ? 50 : 200)
  const loaded = await ingest.paced(halfRate)
  for (const c of concurrencies) {
    const clients = admins.slice(0, c)
    const floor = await measure(base, clients, ['/healthz'], { seconds: Math.min(3, seconds) })
    console.log(
      `\n${c} client${c === 1 ? '' : 's'} (admin, logged in), ${seconds} s per endpoint; goal p99 ≤ ${goal(c)} ms`,
    )
    console.log(`  ${'GET /healthz (floor)'.padEnd(22)} ${fmt(floor)}  ${String(floor.requests).padStart(6)} req`)
    for (const [name, paths] of endpoints) {
      const l = await measure(base, clients, paths, { seconds })
      const verdict = l.p99 <= goal(c) ? 'meets' : 'MISSES'
      console.log(
        `  ${name.padEnd(22)} ${fmt(l)}  ${String(l.requests).padStart(6)} req  ${(l.bytes / 1024).toFixed(0).padStart(5)} KiB  ` +
          `p50/floor ${(l.p50 / Math.max(0.01, floor.p50)).toFixed(0)}×  ${verdict} goal`,
      )
    }
  }
  const loadedRun = await loaded.stop()
  console.log(
    `\ningest at half rate, no readers : offered ${quietRun.offered.toFixed(0)} msg/s, kept ${quietRun.kept.toFixed(0)} msg/s (${(quietRun.kept / quietRun.offered).toFixed(2)})`,
  )
  console.log(
    `ingest at half rate, readers on: offered ${loadedRun.offered.toFixed(0)} msg/s, kept ${loadedRun.kept.toFixed(0)} msg/s ` +
      `(kept/offered ${(loadedRun.kept / loadedRun.offered).toFixed(2)}, vs no readers ${(loadedRun.kept / quietRun.kept).toFixed(2)}; goal ≥ 0.90)`,
  )

  // Publish → visible at half the sustainable load: kiosks the publishers leave alone (the last ones).
  const probeLoad = await ingest.paced(halfRate)
  const visible = await publishToVisible({
    baseUrl: base,
    brokerUrl: mosquitto.url,
    cookie: (admins[0] as HttpClient).cookie,
    kioskIds: Array.from({ length: Math.min(20, total) }, (_, n) => kioskId(total - 1 - n)),
    payload: (id, seq, at) => JSON.stringify(health(seq, Number(id.slice(1)), at)),
    // Seeded with a birth (1) and a report (2).
    firstSeq: 3,
    seconds,
    everyMs: 100,
  })
  await probeLoad.stop()
  const ms = (sorted: number[], q: number) =>
    `${(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(0)} ms`
  console.log('\npublish → visible, ingest at half rate; goal p99 ≤ 250 ms')
  for (const [name, sorted] of [
    ['live dashboard (/api/stream)', visible.stream],
    ['API (GET /api/kiosks/:id)', visible.api],
  ] as const) {
    console.log(
      `  ${name.padEnd(30)} p50 ${ms(sorted, 0.5).padStart(7)}  p99 ${ms(sorted, 0.99).padStart(7)}  ${String(sorted.length).padStart(5)} reports  ` +
        `${(sorted[Math.floor(0.99 * sorted.length)] ?? Number.POSITIVE_INFINITY) <= 250 ? 'meets' : 'MISSES'} goal`,
    )
  }
  if (visible.unseen > 0) console.log(`  ${visible.unseen} reports not seen within 10 s`)

  // The services page, one client per role, with the ingest load running.
  const servicesLoad = await ingest.paced(halfRate)
  const few = { seconds: Math.max(1, seconds / 2), minRequests: 5 }
  const busiest = serviceIds[0] as string
  console.log('\nservices page (one client, ingest at half rate)')
  for (const [role, id] of [
    ['admin', 'bench'],
    ['department', 'bench-tax'],
    ['one site', 'bench-site'],
    ['vendor, all', 'bench-vendor'],
  ] as const) {
    console.log(
      `  ${`GET /api/services (${role})`.padEnd(36)} ${fmt(await measure(base, await as(id), ['/api/services'], few))}`,
    )
  }
  console.log(
    `  ${'GET /api/services/:id/kiosks'.padEnd(36)} ${fmt(await measure(base, admins.slice(0, 1), [`/api/services/${busiest}/kiosks?limit=100`], few))}`,
  )
  await servicesLoad.stop()

  // What the daily roll-up costs ingest: a batch of 1,000 health messages written whole, and the
  // roll-up's statement alone for the same snapshots (rows new, then updated).
  const rollupBatch = emptyBatch()
  for (let i = 0; i < Math.min(total, 1000); i++) {
    rollupBatch.health.push({ kioskId: kioskId(i), payload: health(1_000_000, i, now), receivedAt: now })
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
  console.log(
    `  health batch of 1000 (15 services each): ${batchMs.toFixed(0)} ms written whole; its roll-up alone ` +
      `${rollupInsertMs.toFixed(0)} ms new rows, ${rollupUpdateMs.toFixed(0)} ms updated rows`,
  )

  if (!values['no-browser']) {
    // First render: a logged-in admin opens the dashboard; timed from navigation to the overview drawn.
    browser = await launchChromium()
    const renders: number[] = []
    const browserLoad = await ingest.paced(halfRate)
    for (let n = 0; n < 3; n++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      const answer = await context.request.post(`${base}/api/login`, {
        data: { username: 'bench', password: PASSWORD },
      })
      if (!answer.ok()) throw new Error(`browser login: HTTP ${answer.status()}`)
      const page = await context.newPage()
      const start = performance.now()
      await page.goto(`${base}/`)
      await page.locator('#view .overview .stats').waitFor({ state: 'visible', timeout: 60_000 })
      await page.locator('#view .overview table').first().waitFor({ state: 'visible', timeout: 60_000 })
      renders.push(performance.now() - start)
      await context.close()
    }
    await browserLoad.stop()
    renders.sort((a, b) => a - b)
    console.log(
      `\ndashboard first render in Chromium (logged in, navigation → overview drawn, ingest at half rate): ` +
        `median ${renders[1]?.toFixed(0)} ms of 3 (${renders.map((r) => r.toFixed(0)).join(', ')} ms)`,
    )
  }
} finally {
  await browser?.close()
  await ingest?.close()
  if (!(await fleet.stop(60_000))) console.log('fleet-server had not stopped 60 s after SIGTERM: killed')
  if (values.keep) console.log(`schema ${schema} kept`)
  else await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
  await db.close()
  await mosquitto.dispose()
}
process.exit(0)

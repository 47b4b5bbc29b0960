/**
 * `npm start`: the fleet-server on embedded defaults (Aedes broker, PGlite on disk) plus one kiosk
 * agent of each machine type, each its own process with its citizen UI. The ID-card readers and
 * receipt printers are emulators on socat ptys that the agents open through the real drivers; A4
 * printers are ippeveprinter; social-security card readers are vpcd slots of a private pcscd. A small
 * control panel places and inserts cards, empties paper and unplugs devices.
 *
 * While it runs, type on stdin:  kill <kioskId>   (SIGKILL: the broker publishes its Last Will)
 *                                 freeze <kioskId> (SIGSTOP: offline after 1.5 keep-alives)
 *                                 thaw <kioskId> | start <kioskId> | list
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { allDefinitions } from '@drivers/registry'
import { createDevelopmentUpdateKeys, deviceModelCatalog, loadFleetConfig, startFleetServer } from '@fleet/server'
import pino from 'pino'
import { startControlPanel } from './demo/control-panel.ts'
import { type DemoDeviceSet, startDemoDevices } from './demo/demo-devices.ts'
import { startDemoPcsc } from './demo/demo-pcsc.ts'
import { DEMO_KIOSKS, demoAgentConfig } from './demo-fleet.ts'
import { createDevCa, issueCertificate } from './tls/dev-ca.ts'
import { fetchTrusting } from './tls/https-fetch.ts'

const { values } = parseArgs({
  options: {
    'http-port': { type: 'string', default: process.env.PORT ?? '8080' },
    'keepalive-s': { type: 'string', default: '5' },
    'health-interval-ms': { type: 'string', default: '10000' },
    'data-dir': { type: 'string', default: '.data/demo' },
    'panel-port': { type: 'string', default: process.env.PANEL_PORT ?? '8090' },
    /** Clear HTTP and MQTT instead of TLS (the only way the demo runs without its CA). */
    plaintext: { type: 'boolean', default: false },
    /** No private pcscd: the social-security card readers are status models (tests that need no card). */
    'no-pcscd': { type: 'boolean', default: false },
  },
})
const dataDir = resolve(values['data-dir'])
mkdirSync(dataDir, { recursive: true })
const demoAdminPassword = process.env.FLEET_AUTH__INITIAL_ADMIN_PASSWORD ?? 'kiosk-fleet-demo'
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { app: 'demo' } })

// The update repository's root ceremony. A real fleet runs `root-keys-cli create-root` on an offline
// machine and gives the server only root.json and online-keys.json; the demo does it here, in its own
// directory beside (not inside) the server's data, so `npm start` shows signed updates end to end.
const updateKeys = await createDevelopmentUpdateKeys(join(dataDir, 'offline-root-ceremony'))

// TLS everywhere, as outside a laptop: a demo CA (kept in .data/demo/tls/, made once with openssl)
// signs the fleet-server's certificate for HTTPS and mqtts; the kiosks trust that CA.
const tls = values.plaintext
  ? undefined
  : (() => {
      const ca = createDevCa(join(dataDir, 'tls'), { name: 'kiosk-fleet demo CA', reuse: true })
      const server = issueCertificate(ca, 'fleet-server', { kind: 'server', reuse: true })
      return { caCert: ca.caCert, ...server }
    })()
const demoFetch: typeof fetch = tls === undefined ? fetch : fetchTrusting(readFileSync(tls.caCert))
const tlsEnv: Record<string, string> =
  tls === undefined
    ? {}
    : {
        FLEET_HTTP__TLS__CERT: tls.cert,
        FLEET_HTTP__TLS__KEY: tls.key,
        FLEET_MQTT__EMBEDDED__TLS__CERT: tls.cert,
        FLEET_MQTT__EMBEDDED__TLS__KEY: tls.key,
        FLEET_MQTT__TLS__CA: tls.caCert,
      }

async function startServer(httpPort: number) {
  const config = loadFleetConfig({
    env: {
      ...process.env,
      ...tlsEnv,
      FLEET_HTTP__PORT: String(httpPort),
      // Port 0: a free port, so the demo never collides with a broker already on 1883.
      FLEET_MQTT__EMBEDDED__PORT: process.env.FLEET_MQTT__EMBEDDED__PORT ?? '0',
      FLEET_DATABASE__PGLITE_DIR: process.env.FLEET_DATABASE__PGLITE_DIR ?? join(dataDir, 'fleet-db'),
      // The demo's first user; a real fleet sets its own (12+ characters) through the environment.
      FLEET_AUTH__INITIAL_ADMIN_PASSWORD: demoAdminPassword,
      FLEET_UPDATES__DIR: process.env.FLEET_UPDATES__DIR ?? join(dataDir, 'fleet-updates'),
      FLEET_UPDATES__ROOT_FILE: process.env.FLEET_UPDATES__ROOT_FILE ?? updateKeys.rootFile,
      FLEET_UPDATES__ONLINE_KEYS_FILE: process.env.FLEET_UPDATES__ONLINE_KEYS_FILE ?? updateKeys.onlineKeysFile,
      // Demo pace: rollouts advance within seconds.
      FLEET_ROLLOUTS__TICK_MS: process.env.FLEET_ROLLOUTS__TICK_MS ?? '1000',
    },
  })
  return startFleetServer(config, logger, { deviceModels: deviceModelCatalog(allDefinitions) })
}

let server: Awaited<ReturnType<typeof startServer>>
try {
  server = await startServer(Number(values['http-port']))
} catch (err) {
  if ((err as { code?: string }).code !== 'EADDRINUSE') throw err
  console.log(`port ${values['http-port']} is taken, using a free port instead`)
  server = await startServer(0)
}

// Each kiosk enrols as a real one does: the admin creates a one-time token, the kiosk trades it for
// its own MQTT credentials (the embedded broker requires them), handed to the agent in its environment.
async function enrolDemoKiosks(httpUrl: string): Promise<Map<string, { username: string; password: string }>> {
  const post = (path: string, body: unknown, cookie = '') =>
    demoFetch(`${httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    })
  const login = await post('/api/login', { username: 'admin', password: demoAdminPassword })
  const cookie = login.headers.get('set-cookie')?.split(';')[0]
  if (!login.ok || cookie === undefined)
    throw new Error(`demo cannot log in as admin to enrol its kiosks: HTTP ${login.status}`)
  // A second IT account: a rollout is approved by someone other than the one who created it.
  const lead = await post(
    '/api/users',
    { id: 'lead', displayName: 'IT lead (demo)', password: demoAdminPassword, role: 'admin' },
    cookie,
  )
  if (!lead.ok && lead.status !== 409) throw new Error(`demo cannot create its second admin: HTTP ${lead.status}`)
  const credentials = new Map<string, { username: string; password: string }>()
  for (const { kioskId } of DEMO_KIOSKS) {
    const ticket = await post(`/api/kiosks/${kioskId}/enrolment`, {}, cookie)
    const { token } = (await ticket.json()) as { token: string }
    const enrolled = await post('/api/enrol', { kioskId, token })
    if (!enrolled.ok) throw new Error(`enrolling ${kioskId} failed: HTTP ${enrolled.status}`)
    credentials.set(kioskId, ((await enrolled.json()) as { mqtt: { username: string; password: string } }).mqtt)
  }
  return credentials
}
const kioskCredentials = await enrolDemoKiosks(server.httpUrl)

const agents = new Map<string, ChildProcess>()
const deviceSets = new Map<string, DemoDeviceSet>()
// One pcscd for the demo (its socket path is fixed), a vpcd slot per kiosk with a social-security card reader.
const pcsc = DEMO_KIOSKS.some((k) => k.ssc) && !values['no-pcscd'] ? await startDemoPcsc() : undefined
for (const kiosk of DEMO_KIOSKS) {
  deviceSets.set(
    kiosk.kioskId,
    await startDemoDevices({
      kioskId: kiosk.kioskId,
      receipt: kiosk.receipt,
      a4: kiosk.a4,
      qr: kiosk.qr,
      ...(kiosk.ssc
        ? { ssc: pcsc ? pcsc.nextReader() : { kind: 'statusModel' as const, reason: 'the demo runs with --no-pcscd' } }
        : {}),
    }),
  )
}
const agentBin = resolve('kiosk/agent/bin/kiosk-agent.mjs')
const EXIT_RESTART = 75

function startAgent(kioskId: string): void {
  const kiosk = DEMO_KIOSKS.find((k) => k.kioskId === kioskId)
  if (kiosk === undefined) return void console.log(`no kiosk ${kioskId}`)
  if (agents.has(kioskId)) return void console.log(`${kioskId} is already running`)
  const configPath = join(dataDir, `${kioskId}.json`)
  const config = demoAgentConfig(kiosk, {
    mqttUrl: server.mqttUrl,
    dataDir: join(dataDir, kioskId),
    keepaliveS: Number(values['keepalive-s']),
    healthIntervalMs: Number(values['health-interval-ms']),
    devices: deviceSets.get(kioskId)?.peripherals() ?? [],
    // The kiosk image ships the fleet's root.json: the trust anchor of every update it installs.
    updates: { fleetUrl: server.httpUrl, trustedRootFile: updateKeys.rootFile },
  })
  writeFileSync(configPath, JSON.stringify(config, null, 2))
  const child = spawn(process.execPath, [agentBin, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      KIOSK_LOG__LEVEL: 'warn',
      KIOSK_MQTT__USERNAME: kioskCredentials.get(kioskId)?.username,
      KIOSK_MQTT__PASSWORD: kioskCredentials.get(kioskId)?.password,
      // mqtts:// to the embedded broker and the update channel's HTTPS (TUF metadata and downloads),
      // both verified against the demo CA.
      ...(tls === undefined ? {} : { KIOSK_MQTT__TLS__CA: tls.caCert, KIOSK_UPDATES__TLS__CA: tls.caCert }),
    },
  })
  agents.set(kioskId, child)
  child.on('exit', (code, signal) => {
    agents.delete(kioskId)
    if (shuttingDown) return
    // Exit status 75 asks the supervisor for a restart (an installed update, `restart-agent`), as
    // systemd's Restart=on-failure does on a real kiosk.
    if (code === EXIT_RESTART) return startAgent(kioskId)
    console.log(`${kioskId} exited (${signal ?? code})`)
  })
}

function signalAgent(kioskId: string, signal: NodeJS.Signals): void {
  const child = agents.get(kioskId)
  if (child === undefined) return void console.log(`${kioskId} is not running`)
  child.kill(signal)
  console.log(`${signal} → ${kioskId}`)
}

for (const kiosk of DEMO_KIOSKS) startAgent(kiosk.kioskId)

const dashboard = server.httpUrl
const panel = await startControlPanel({
  dashboardUrl: `${dashboard}/`,
  port: Number(values['panel-port']),
  kiosks: DEMO_KIOSKS.map((k) => ({
    kioskId: k.kioskId,
    title: k.title,
    dataDir: join(dataDir, k.kioskId),
    devices: deviceSets.get(k.kioskId) as DemoDeviceSet,
  })),
})
console.log(`
Kiosk fleet demo
  dashboard     ${dashboard}/   (log in as admin / ${demoAdminPassword}; a rollout is approved by lead, same password)
  API docs      ${dashboard}/docs
  API           ${dashboard}/api/kiosks
  MQTT broker   ${server.mqttUrl} (embedded Aedes; each kiosk enrolled with its own credentials)
  TLS           ${tls === undefined ? 'off (--plaintext)' : `demo CA ${tls.caCert} (import it in the browser to trust the dashboard)`}
  database      PGlite in ${join(dataDir, 'fleet-db')}
  device panel  ${panel.url}   (open each kiosk's citizen UI from here; place or insert cards, empty paper, unplug)
  kiosks        ${DEMO_KIOSKS.map((k) => `${k.kioskId} (pid ${agents.get(k.kioskId)?.pid})`).join('\n                ')}

Type "kill <kioskId>" to cut a kiosk off (Last Will), "freeze <kioskId>" to hang one
(offline after 1.5 × ${values['keepalive-s']} s keep-alive), "start"/"thaw" to bring it back, Ctrl-C to stop.
`)

let shuttingDown = false
async function shutdown(): Promise<void> {
  if (shuttingDown) return
  shuttingDown = true
  console.log('stopping kiosks and fleet-server…')
  const exits = [...agents.values()].map((child) => new Promise((r) => child.once('exit', r)))
  for (const child of agents.values()) {
    child.kill('SIGCONT')
    child.kill('SIGTERM')
  }
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000))])
  for (const child of agents.values()) child.kill('SIGKILL')
  panel.server.close()
  for (const devices of deviceSets.values()) await devices.close().catch(() => undefined)
  await pcsc?.close().catch(() => undefined)
  await server.stop()
  console.log('stopped')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())

if (process.stdin.isTTY || process.env.DEMO_STDIN === '1') {
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const [verb, kioskId = ''] = line.trim().split(/\s+/)
    if (verb === 'kill') signalAgent(kioskId, 'SIGKILL')
    else if (verb === 'freeze') signalAgent(kioskId, 'SIGSTOP')
    else if (verb === 'thaw') signalAgent(kioskId, 'SIGCONT')
    else if (verb === 'stop') signalAgent(kioskId, 'SIGTERM')
    else if (verb === 'start') startAgent(kioskId)
    else if (verb === 'list')
      for (const k of DEMO_KIOSKS) console.log(`${k.kioskId} ${agents.has(k.kioskId) ? 'running' : 'stopped'}`)
    else if (verb) console.log('commands: kill|freeze|thaw|stop|start <kioskId>, list')
  })
}

/**
 * TLS end to end (docs/operations.md "TLS"), with a CA made for this run (global-setup.ts):
 * HTTPS on the fleet-server, MQTT over TLS on the embedded broker and to an external Mosquitto,
 * kiosks trusting the CA handed out at enrolment, client-certificate login, and clients that
 * trust another CA refused. Clear text off loopback is refused unless a setting allows it.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { type FleetServer, loadFleetConfig, startFleetServer } from '@fleet/server'
import { createKioskAgent, type KioskAgent, loadAgentConfig } from '@kiosk/agent'
import { sampleBirth } from '@kiosk-fleet/protocol'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { startTestMosquitto } from '../support/brokers.ts'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { httpsRequest } from '../support/https.ts'
import { TEST_FLEET_MQTT } from '../support/kiosk-credentials.ts'
import type { MosquittoProcess } from '../support/mosquitto.ts'
import { waitFor } from '../support/wait-for.ts'

const ENROL_BIN = resolve('kiosk/agent/bin/kiosk-agent-enrol.mjs')
const run = promisify(execFile)
const pki = inject('testPki')
const ca = readFileSync(pki.ca)
const wrongCa = readFileSync(pki.wrongCa)
// Starting fleet-servers on a shared, busy machine takes its time.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 })

async function startTlsFleet(database: TestDatabase, settings: Record<string, unknown> = {}): Promise<FleetServer> {
  return startFleetServer(
    loadFleetConfig({
      file: {
        http: { port: 0, tls: { cert: pki.serverCert, key: pki.serverKey }, trustProxy: '127.0.0.1' },
        mqtt: {
          embedded: {
            port: 0,
            tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, clientCertificates: 'optional' },
          },
          tls: { ca: pki.ca },
          clientId: 'fleet-tls-test',
          ...TEST_FLEET_MQTT,
        },
        database: database.config,
        auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
        log: { level: 'silent' },
        ...settings,
      },
    }),
    quietLogger,
  )
}

/** How a connection attempt ends: 'connected', or why it did not (a TLS error, a refusal, a closed socket). */
function mqttOutcome(url: string, options: mqtt.IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options })
    const done = (outcome: string) => {
      clearTimeout(timer)
      client.end(true)
      resolve(outcome)
    }
    const timer = setTimeout(() => done('timed out'), 20_000)
    client.once('connect', () => done('connected'))
    client.once('error', (err) => done(err.message))
    client.once('close', () => done('closed'))
  })
}

describe('TLS on the embedded broker and HTTPS', () => {
  let database: TestDatabase
  let fleet: FleetServer
  let adminCookie: string
  const agents: KioskAgent[] = []
  const dirs: string[] = []

  beforeAll(async () => {
    database = await createTestDatabase('pglite')
    fleet = await startTlsFleet(database)
    const login = await httpsRequest(`${fleet.httpUrl}/api/login`, {
      ca,
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      body: { username: 'admin', password: TEST_ADMIN_PASSWORD },
    })
    expect(login.status).toBe(200)
    const setCookie = String(login.headers['set-cookie'])
    // Served over TLS, the session cookie is Secure.
    expect(setCookie).toMatch(/; Secure/)
    adminCookie = setCookie.split(';')[0] as string
  }, 240_000)
  afterAll(async () => {
    for (const agent of agents) await agent.stop()
    await fleet?.stop()
    await database?.drop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('serves HTTPS to clients that trust the CA, and is refused by clients that trust another', async () => {
    expect(fleet.httpUrl).toMatch(/^https:\/\//)
    expect((await httpsRequest(`${fleet.httpUrl}/healthz`, { ca })).status).toBe(200)
    await expect(httpsRequest(`${fleet.httpUrl}/healthz`, { ca: wrongCa })).rejects.toThrow(/certificate/)
    // Clear HTTP on the TLS port gets nowhere.
    await expect(fetch(fleet.httpUrl.replace('https:', 'http:') + '/healthz')).rejects.toThrow()
  })

  it('records the real client behind the trusted proxy in the audit log', async () => {
    const audit = await httpsRequest(`${fleet.httpUrl}/api/audit?action=login&limit=1`, {
      ca,
      headers: { cookie: adminCookie },
    })
    expect(JSON.parse(audit.body).entries[0]).toMatchObject({ actor: 'admin', outcome: 'ok', ip: '203.0.113.7' })
  })

  it('enrols a kiosk over HTTPS, hands it the broker CA, and the kiosk connects over mqtts', async () => {
    expect(fleet.mqttUrl).toMatch(/^mqtts:\/\//)
    const created = await httpsRequest(`${fleet.httpUrl}/api/kiosks/tls-enrol/enrolment`, {
      ca,
      method: 'POST',
      headers: { cookie: adminCookie },
      body: {},
    })
    const { token } = JSON.parse(created.body) as { token: string }
    const dir = mkdtempSync(join(tmpdir(), 'tls-enrol-'))
    dirs.push(dir)
    const out = join(dir, 'credentials.json')
    await run(process.execPath, [
      ENROL_BIN,
      '--server',
      fleet.httpUrl,
      '--kiosk-id',
      'tls-enrol',
      '--token',
      token,
      '--out',
      out,
      '--ca',
      pki.ca,
    ])
    const credentials = JSON.parse(readFileSync(out, 'utf8')) as {
      mqtt: { url: string; username: string; password: string; tls: { ca: string } }
      updates: { tls: { ca: string } }
    }
    expect(credentials.mqtt.url).toBe(fleet.mqttUrl)
    expect(readFileSync(credentials.mqtt.tls.ca)).toEqual(ca)
    // The CA that verified the fleet's HTTPS is kept as the update channel's trust (updates.tls.ca).
    expect(credentials.updates.tls.ca).toBe(join(dir, 'credentials.fleet-ca.pem'))
    expect(readFileSync(credentials.updates.tls.ca)).toEqual(ca)

    const agent = createKioskAgent({
      config: testAgentConfig('tls-enrol', credentials.mqtt.url, { mqtt: credentials.mqtt, ui: { enabled: false } }),
      logger: quietLogger,
    })
    agents.push(agent)
    await agent.start()
    await waitFor('enrolled kiosk online over mqtts', async () => {
      const kiosk = await httpsRequest(`${fleet.httpUrl}/api/kiosks/tls-enrol`, {
        ca,
        headers: { cookie: adminCookie },
      })
      return kiosk.status === 200 && (JSON.parse(kiosk.body) as { state?: string }).state === 'online'
    })
  })

  it('refuses a client that trusts another CA, and plain MQTT on the TLS port', async () => {
    const options = { ...TEST_FLEET_MQTT, clientId: `probe-${Date.now()}` }
    expect(await mqttOutcome(fleet.mqttUrl, { ...options, ca: wrongCa })).toMatch(/certificate/)
    expect(await mqttOutcome(fleet.mqttUrl.replace('mqtts:', 'mqtt:'), options)).not.toBe('connected')
    expect(await mqttOutcome(fleet.mqttUrl, { ...options, ca })).toBe('connected')
  })

  it('logs a kiosk in by its client certificate, without a password, limited to its own topics', async () => {
    const cert = { ca, cert: readFileSync(pki.kioskCert), key: readFileSync(pki.kioskKey) }
    const client = await mqtt.connectAsync(fleet.mqttUrl, {
      ...cert,
      clientId: 'kiosk-tls-a',
      protocolVersion: 4,
      reconnectPeriod: 0,
    })
    await client.publishAsync('kiosk/v1/tls-a/birth', JSON.stringify(sampleBirth({ kioskId: 'tls-a' })), { qos: 1 })
    await waitFor('certificate kiosk in the fleet', async () => {
      return (
        (await httpsRequest(`${fleet.httpUrl}/api/kiosks/tls-a`, { ca, headers: { cookie: adminCookie } })).status ===
        200
      )
    })
    await client.endAsync()
    // The certificate names tls-a: it cannot be used as another kiosk's client.
    expect(await mqttOutcome(fleet.mqttUrl, { ...cert, clientId: 'kiosk-tls-b', username: 'tls-b' })).not.toBe(
      'connected',
    )
    // No certificate and no password: refused.
    expect(await mqttOutcome(fleet.mqttUrl, { ca, clientId: 'kiosk-tls-a' })).not.toBe('connected')
  })
})

describe('TLS to an external Mosquitto', () => {
  let broker: MosquittoProcess
  let database: TestDatabase
  beforeAll(async () => {
    broker = await startTestMosquitto({ tls: { ca: pki.ca, cert: pki.serverCert, key: pki.serverKey } })
    database = await createTestDatabase('pglite')
  })
  afterAll(async () => {
    await broker?.dispose()
    await database?.drop()
  })

  it('connects the fleet-server over mqtts with the configured CA, and a kiosk agent too', async () => {
    expect(broker.url).toMatch(/^mqtts:/)
    const fleet = await startFleetServer(
      loadFleetConfig({
        file: {
          http: { port: 0 },
          mqtt: { url: broker.url, tls: { ca: pki.ca }, clientId: 'fleet-mosq-tls' },
          database: database.config,
          log: { level: 'silent' },
        },
      }),
      quietLogger,
    )
    try {
      const agent = createKioskAgent({
        config: testAgentConfig('tls-mosq', broker.url, {
          mqtt: { tls: { ca: pki.ca }, username: 'tls-mosq', password: 'anonymous-broker' },
          ui: { enabled: false },
        }),
        logger: quietLogger,
      })
      await agent.start()
      try {
        await waitFor(
          'kiosk ingested through Mosquitto over TLS',
          async () => {
            const rows = await fleet.db.query<{ id: string }>("SELECT id FROM kiosks WHERE id = 'tls-mosq'")
            return rows.length === 1
          },
          120_000,
        )
      } finally {
        await agent.stop()
      }
    } finally {
      await fleet.stop()
    }
  })

  it('refuses to start against a broker whose certificate another CA signed', async () => {
    const started = startFleetServer(
      loadFleetConfig({
        file: {
          http: { port: 0 },
          mqtt: { url: broker.url, tls: { ca: pki.wrongCa }, clientId: 'fleet-mosq-wrong' },
          database: database.config,
          log: { level: 'silent' },
        },
      }),
      quietLogger,
    )
    await expect(started).rejects.toThrow(/certificate/)
  })
})

describe('clear text only where a setting allows it', () => {
  it('refuses plain HTTP and plain MQTT on other hosts than loopback', async () => {
    const database = await createTestDatabase('pglite')
    try {
      const refused = (settings: Record<string, unknown>) =>
        startFleetServer(
          loadFleetConfig({ file: { database: database.config, log: { level: 'silent' }, ...settings } }),
          quietLogger,
        )
      await expect(refused({ http: { host: '0.0.0.0', port: 0 } })).rejects.toMatchObject({
        code: 'ERR_FLEET_TLS_CONFIG',
      })
      await expect(refused({ http: { port: 0 }, mqtt: { url: 'mqtt://broker.example:1883' } })).rejects.toMatchObject({
        code: 'ERR_FLEET_TLS_CONFIG',
      })
      await expect(
        refused({ http: { port: 0 }, mqtt: { embedded: { host: '0.0.0.0', port: 0 } } }),
      ).rejects.toMatchObject({ code: 'ERR_FLEET_TLS_CONFIG' })
    } finally {
      await database.drop()
    }
    const kiosk = loadAgentConfig({
      file: { ...testAgentConfig('plain', 'mqtt://192.0.2.10:1883', { mqtt: { password: 'x' } }) },
    })
    expect(() => createKioskAgent({ config: kiosk, logger: quietLogger })).toThrow(/mqtt.allowPlaintext/)
    const allowed = loadAgentConfig({
      file: {
        ...testAgentConfig('plain', 'mqtt://192.0.2.10:1883', { mqtt: { password: 'x', allowPlaintext: true } }),
      },
    })
    expect(() => createKioskAgent({ config: allowed, logger: quietLogger })).not.toThrow()
  })
})

import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FleetServer, KioskCredentials, writeMosquittoAuthFiles } from '@fleet/server'
import mqtt from 'mqtt'
import { startTestMosquitto } from './brokers.ts'
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.ts'
import { startTestFleet, TEST_ADMIN_PASSWORD } from './fleet.ts'
import { freePort } from './free-port.ts'
import { onTestKiosk, TEST_FLEET_MQTT, testKioskPassword } from './kiosk-credentials.ts'
import type { MosquittoProcess } from './mosquitto.ts'
import { waitFor } from './wait-for.ts'

export type BrokerMode = 'embedded-aedes' | 'mosquitto'

export interface StackMode {
  broker: BrokerMode
  db: DatabaseKind
}

/** Every combination the fleet must work on: embedded Aedes and Mosquitto, PGlite and PostgreSQL. */
export const STACK_MODES: StackMode[] = [
  { broker: 'embedded-aedes', db: 'pglite' },
  { broker: 'embedded-aedes', db: 'postgres' },
  { broker: 'mosquitto', db: 'pglite' },
  { broker: 'mosquitto', db: 'postgres' },
]

export interface TestStack {
  mode: StackMode
  mqttUrl: string
  brokerPort: number
  fleet: () => FleetServer
  /** Calls the HTTP API as the bootstrap admin. */
  api: <T = unknown>(path: string, init?: RequestInit) => Promise<T>
  /** The admin's session cookie (`fleet_session=…`), e.g. for a browser context. */
  adminCookie: string
  /**
   * Takes the broker away. Embedded: the whole fleet-server stops (the broker lives in it).
   * Mosquitto: the broker stops (saving its persistence) while the fleet-server keeps running.
   */
  brokerDown(): Promise<void>
  brokerUp(): Promise<void>
  /**
   * Gives kiosk `kioskId` its MQTT credentials and waits until the broker takes them (Mosquitto
   * rereads its password file on SIGHUP). Kiosks configured by `testAgentConfig` get theirs anyway.
   */
  provisionKiosk(kioskId: string): Promise<{ username: string; password: string }>
  /** Mosquitto mode: the directory of its `passwd` and `acl` files, and SIGHUP to reread them. */
  mosquittoAuth?: { dir: string; reload(): void }
  /** The fleet-server's database settings (e.g. for `fleet-server mosquitto-config`). */
  database: TestDatabase['config']
  stop(): Promise<void>
}

export async function startStack(mode: StackMode, settings?: Record<string, unknown>): Promise<TestStack> {
  const database: TestDatabase = await createTestDatabase(mode.db)
  let broker: MosquittoProcess | undefined
  let fleet: FleetServer
  let brokerPort: number
  // Mosquitto reads the password and ACL files the fleet-server generates, as its `mosquitto` user.
  const authDir = mkdtempSync(join(tmpdir(), 'mosquitto-auth-'))
  chmodSync(authDir, 0o755)
  const writeAuthFiles = async (kiosks: Awaited<ReturnType<KioskCredentials['list']>>) =>
    writeMosquittoAuthFiles({ dir: authDir, fleet: TEST_FLEET_MQTT, kiosks, passwordFileMode: 0o644, replicas: 3 })
  if (mode.broker === 'mosquitto') {
    broker = await startTestMosquitto({ auth: await writeAuthFiles([]) })
    brokerPort = broker.port
    fleet = await startTestFleet({ mqttUrl: broker.url, database, ...(settings ? { settings } : {}) })
  } else {
    brokerPort = await freePort()
    fleet = await startTestFleet({ embeddedPort: brokerPort, database, ...(settings ? { settings } : {}) })
  }
  let up = true
  // Sessions live in the database, so one login survives an embedded fleet-server restart.
  const login = await fetch(`${fleet.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
  })
  const cookie = login.headers.get('set-cookie')?.split(';')[0]
  if (!login.ok || cookie === undefined) throw new Error(`admin login failed: ${login.status}`)

  // Kiosk credentials are stored one after another; a failure fails the test at stop().
  let provisioning: Promise<void> = Promise.resolve()
  const failures: unknown[] = []
  const provision = (kioskId: string, password: string): Promise<void> => {
    provisioning = provisioning.then(async () => {
      const credentials = new KioskCredentials(fleet.db)
      await credentials.issue(kioskId, { password })
      if (broker === undefined) return
      await writeAuthFiles(await credentials.list())
      broker.reload()
    })
    const done = provisioning
    provisioning = provisioning.catch((err: unknown) => {
      failures.push(err)
    })
    return done
  }
  const unregister = onTestKiosk((kioskId, password) => {
    provision(kioskId, password).catch((err: unknown) => {
      process.stderr.write(`provisioning test kiosk ${kioskId} failed: ${String(err)}\n`)
    })
  })
  const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`
  return {
    mode,
    mqttUrl: brokerUrl,
    brokerPort,
    adminCookie: cookie,
    fleet: () => fleet,
    database: database.config,
    ...(broker === undefined ? {} : { mosquittoAuth: { dir: authDir, reload: () => broker?.reload() } }),
    async api<T>(path: string, init?: RequestInit) {
      const response = await fetch(`${fleet.httpUrl}${path}`, {
        ...init,
        headers: { ...(init?.headers as Record<string, string> | undefined), cookie },
      })
      return (await response.json()) as T
    },
    async brokerDown() {
      up = false
      if (broker) await broker.stop()
      else await fleet.stop()
    },
    async brokerUp() {
      if (broker) await broker.start()
      else fleet = await startTestFleet({ embeddedPort: brokerPort, database, ...(settings ? { settings } : {}) })
      up = true
    },
    async provisionKiosk(kioskId) {
      const credentials = { username: kioskId, password: testKioskPassword(kioskId) }
      await provision(kioskId, credentials.password)
      // The embedded broker reads the database at each CONNECT; Mosquitto needs its reload to finish.
      if (broker === undefined) return credentials
      await waitFor(`mosquitto takes the credentials of ${kioskId}`, async () => {
        const probe = await mqtt
          .connectAsync(brokerUrl, { ...credentials, clientId: `probe-${kioskId}`, reconnectPeriod: 0 })
          .catch(() => undefined)
        await probe?.endAsync()
        return probe !== undefined
      })
      return credentials
    },
    async stop() {
      unregister()
      await provisioning
      if (up || broker) await fleet.stop().catch(() => undefined)
      await broker?.dispose()
      await database.drop()
      rmSync(authDir, { recursive: true, force: true })
      if (failures.length > 0) throw new Error(`kiosk provisioning failed: ${String(failures[0])}`)
    },
  }
}

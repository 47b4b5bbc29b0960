import type { FleetServer } from '@fleet/server'
import { startTestMosquitto } from './brokers.ts'
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.ts'
import { startTestFleet, TEST_ADMIN_PASSWORD } from './fleet.ts'
import { freePort } from './free-port.ts'
import type { MosquittoProcess } from './mosquitto.ts'

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
  stop(): Promise<void>
}

export async function startStack(mode: StackMode, settings?: Record<string, unknown>): Promise<TestStack> {
  const database: TestDatabase = await createTestDatabase(mode.db)
  let broker: MosquittoProcess | undefined
  let fleet: FleetServer
  let brokerPort: number
  if (mode.broker === 'mosquitto') {
    broker = await startTestMosquitto()
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
  return {
    mode,
    mqttUrl: `mqtt://127.0.0.1:${brokerPort}`,
    brokerPort,
    adminCookie: cookie,
    fleet: () => fleet,
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
    async stop() {
      if (up || broker) await fleet.stop().catch(() => undefined)
      await broker?.dispose()
      await database.drop()
    },
  }
}

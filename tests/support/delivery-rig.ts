/**
 * Shared set-up of the delivery tests: a PostgreSQL schema, kiosk credentials issued into it (the
 * fleet's own credential store), Mosquitto with the generated production config, fleet-server
 * processes, and simulated kiosks (scripts/sim/sim-kiosk.ts) whose acknowledged messages are checked
 * against what the database holds.
 */
import { chmodSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Database, KioskCredentials, migrate, openPostgresDatabase, writeMosquittoAuthFiles } from '@fleet/server'
import { type SimKiosk, startSimKiosk } from '../../scripts/sim/sim-kiosk.ts'
import { startTestMosquitto } from './brokers.ts'
import { createTestDatabase, postgresSchema, type TestDatabase } from './databases.ts'
import { quietLogger, TEST_ADMIN_PASSWORD } from './fleet.ts'
import { TEST_FLEET_MQTT, testKioskPassword } from './kiosk-credentials.ts'
import { type MosquittoProcess, startMosquitto } from './mosquitto.ts'

export interface DeliveryRig {
  database: TestDatabase
  db: Database
  kioskIds: string[]
  /** Fleet settings for a fleet-server process of this rig (add `mqtt` for the broker). */
  fleetSettings(mqtt: Record<string, unknown>): Record<string, unknown>
  /** Mosquitto with the generated config, the rig's kiosks and `replicas` fleet users. */
  startMosquitto(replicas?: number): Promise<MosquittoProcess>
  startKiosks(url: string): Promise<SimKiosk[]>
  /** Acknowledged (kiosk, seq) pairs the database does not hold. */
  missing(kiosks: SimKiosk[]): Promise<string[]>
  storedCount(): Promise<number>
  close(): Promise<void>
}

/** Where a rig runs outside vitest (a benchmark): the PostgreSQL to make a schema on, the Mosquitto binary. */
export interface RigPlace {
  postgresUrl: string
  mosquittoPath: string
}

/** Simulated kiosks connecting at once. */
const CONNECT_WAVE = 500

export async function deliveryRig(prefix: string, kioskCount: number, place?: RigPlace): Promise<DeliveryRig> {
  const database = place === undefined ? await createTestDatabase('postgres') : postgresSchema(place.postgresUrl)
  const { url, schema } = database.config
  if (url === undefined) throw new Error('delivery tests need PostgreSQL')
  const db = await openPostgresDatabase({ url, schema })
  await migrate(db, quietLogger)
  const kioskIds = Array.from({ length: kioskCount }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)
  const credentials = new KioskCredentials(db)
  for (const id of kioskIds) await credentials.issue(id, { password: testKioskPassword(id) })
  const brokers: MosquittoProcess[] = []
  const kiosks: SimKiosk[] = []
  return {
    database,
    db,
    kioskIds,
    fleetSettings: (mqtt) => ({
      http: { port: 0 },
      mqtt: { ...TEST_FLEET_MQTT, ...mqtt },
      database: database.config,
      auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
      ingest: { maxDelayMs: 20 },
      updates: { enabled: false },
      rollouts: { enabled: false },
    }),
    async startMosquitto(replicas = 3) {
      const dir = mkdtempSync(join(tmpdir(), 'mosquitto-auth-'))
      chmodSync(dir, 0o755)
      const files = await writeMosquittoAuthFiles({
        dir,
        fleet: TEST_FLEET_MQTT,
        kiosks: await credentials.list(),
        passwordFileMode: 0o644,
        replicas,
      })
      const broker =
        place === undefined
          ? await startTestMosquitto({ auth: files })
          : await startMosquitto(place.mosquittoPath, { auth: files })
      brokers.push(broker)
      return broker
    },
    async startKiosks(brokerUrl) {
      // In waves, as `npm run sim` does: ten thousand CONNECTs at once from one process starve it.
      const started: SimKiosk[] = []
      for (let i = 0; i < kioskIds.length; i += CONNECT_WAVE) {
        const wave = await Promise.all(
          kioskIds
            .slice(i, i + CONNECT_WAVE)
            .map((kioskId) =>
              startSimKiosk({ kioskId, url: brokerUrl, password: testKioskPassword(kioskId), inflight: 20 }),
            ),
        )
        started.push(...wave)
        kiosks.push(...wave)
      }
      return started
    },
    async missing(sims) {
      const rows = await db.query<{ kiosk_id: string; seq: number }>(
        'SELECT DISTINCT kiosk_id, seq FROM health_history WHERE kiosk_id = ANY($1)',
        [kioskIds],
      )
      const stored = new Set(rows.map((r) => `${r.kiosk_id}#${r.seq}`))
      return sims.flatMap((k) =>
        [...k.acked].filter((seq) => !stored.has(`${k.kioskId}#${seq}`)).map((s) => `${k.kioskId}#${s}`),
      )
    },
    async storedCount() {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM (SELECT DISTINCT kiosk_id, seq FROM health_history WHERE kiosk_id = ANY($1)) s',
        [kioskIds],
      )
      return row?.n ?? 0
    },
    async close() {
      await Promise.all(kiosks.map((k) => k.close().catch(() => undefined)))
      for (const b of brokers) await b.dispose()
      await db.close()
      await database.drop()
    },
  }
}

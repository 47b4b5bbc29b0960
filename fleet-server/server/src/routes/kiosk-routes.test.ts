import { createCodecs, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type FleetApp } from '../app.ts'
import { CommandSender } from '../commands/command-sender.ts'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { Ingestor } from '../ingest/ingestor.ts'
import { LiveHub } from '../live/live-hub.ts'
import { KioskRepo } from '../repos/kiosk-repo.ts'

const logger = pino({ level: 'silent' })
const codecs = createCodecs()
let db: Database
let app: FleetApp
const published: { topic: string; payload: string }[] = []
let commands: CommandSender

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
  const batch = emptyBatch()
  batch.births.push({ kioskId: 'hx-tc01-id-01', payload: sampleBirth(), receivedAt: 1_764_000_000_000 })
  batch.health.push({ kioskId: 'hx-tc01-id-01', payload: sampleHealth(), receivedAt: 1_764_000_000_000 })
  batch.states.push({
    kioskId: 'hx-tc01-id-01',
    payload: { state: 'online', session: 1, ts: 1 },
    receivedAt: 1_764_000_000_000,
  })
  await new IngestStore(db).writeBatch(batch)
  commands = new CommandSender({
    publish: async (topic, payload) => {
      published.push({ topic, payload })
      // Answer as a kiosk would, through the same response path the MQTT client uses.
      const request = JSON.parse(payload) as { transaction: string }
      if (topic.endsWith('/ping')) {
        const response = {
          transaction: request.transaction,
          ts: 1,
          status: 'ok',
          data: { receivedAt: 1, appVersion: '0.1.0' },
        }
        queueMicrotask(() =>
          commands.handleResponse('hx-tc01-id-01', 'ping', new TextEncoder().encode(JSON.stringify(response))),
        )
      }
    },
    codecs,
    db,
    logger,
  })
  app = await buildApp({
    db,
    ingestor: new Ingestor({ store: new IngestStore(db), codecs, logger, maxBatch: 10, maxDelayMs: 10, maxQueue: 100 }),
    commands,
    live: new LiveHub(new KioskRepo(db), logger),
    mqttConnected: () => true,
    commandDefaults: { timeoutMs: 300, ttlMs: 1000 },
    logger,
  })
})
afterAll(async () => {
  await app.close()
  await db.close()
})

describe('kiosk routes', () => {
  it('lists kiosks with site and peripherals, and filters', async () => {
    const all = await app.inject({ url: '/api/kiosks' })
    expect(all.statusCode).toBe(200)
    expect(all.json().kiosks).toHaveLength(1)
    expect(all.json().kiosks[0]).toMatchObject({ id: 'hx-tc01-id-01', state: 'online', site: { county: '花溪县' } })
    expect((await app.inject({ url: '/api/kiosks?state=offline' })).json().kiosks).toHaveLength(0)
    expect((await app.inject({ url: '/api/kiosks?machineType=id' })).json().kiosks).toHaveLength(1)
  })

  it('rejects a bad filter with a stable code', async () => {
    const response = await app.inject({ url: '/api/kiosks?state=sleeping' })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
  })

  it('shows one kiosk, its health history and 404 for an unknown one', async () => {
    const kiosk = await app.inject({ url: '/api/kiosks/hx-tc01-id-01' })
    expect(kiosk.json().peripherals.map((p: { deviceId: string }) => p.deviceId)).toEqual(['idcard', 'receipt'])
    expect(kiosk.json().services).toHaveLength(2)
    const history = await app.inject({ url: '/api/kiosks/hx-tc01-id-01/health?limit=5' })
    expect(history.json().history[0]).toMatchObject({ seq: 2, health: { uptimeS: 30 } })
    const missing = await app.inject({ url: '/api/kiosks/nobody' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ code: 'ERR_FLEET_KIOSK_NOT_FOUND', message: 'no kiosk nobody' })
  })

  it('sends a command with an expiry and returns the kiosk answer', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/kiosks/hx-tc01-id-01/commands/ping',
      payload: { ttlMs: 5000 },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ok', data: { appVersion: '0.1.0' } })
    const request = JSON.parse(published.at(-1)?.payload ?? '{}') as { issuedAt: number; expiresAt: number }
    expect(request.expiresAt - request.issuedAt).toBe(5000)
    const [row] = await db.query<{ status: string }>('SELECT status FROM commands ORDER BY requested_at DESC LIMIT 1')
    expect(row?.status).toBe('ok')
  })

  it('answers 504 when the kiosk does not respond in time', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/kiosks/hx-tc01-id-01/commands/get-health' })
    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ status: 'timeout' })
  })

  it('rejects unknown commands', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/api/kiosks/hx-tc01-id-01/commands/format-disk' })).statusCode,
    ).toBe(400)
  })

  it('lists sites with counts and serves the dashboard', async () => {
    expect((await app.inject({ url: '/api/sites' })).json().sites[0]).toMatchObject({
      id: 'hx-tc01',
      kiosks: 1,
      online: 1,
    })
    const page = await app.inject({ url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('自助终端运维平台')
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', broker: true, database: true })
  })
})

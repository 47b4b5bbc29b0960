import type { FleetServer } from '@fleet/server'
import { sampleHealth, topics } from '@kiosk-fleet/protocol'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestMosquitto } from '../support/brokers.ts'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { startTestFleet } from '../support/fleet.ts'
import type { MosquittoProcess } from '../support/mosquitto.ts'
import { waitFor } from '../support/wait-for.ts'

describe('graceful shutdown of the fleet-server', () => {
  let broker: MosquittoProcess
  let database: TestDatabase
  const fleets: FleetServer[] = []

  beforeAll(async () => {
    broker = await startTestMosquitto()
    database = await createTestDatabase('postgres')
  })
  afterAll(async () => {
    for (const fleet of fleets) await fleet.stop().catch(() => undefined)
    await broker?.dispose()
    await database?.drop()
  })

  // The same MQTT client id across restarts resumes the fleet's persistent session on the broker.
  const start = async () => {
    const fleet = await startTestFleet({
      database,
      settings: { mqtt: { url: broker.url, clientId: 'fleet-graceful' } },
    })
    fleets.push(fleet)
    return fleet
  }

  it('loses no message published before, during and after a stop and restart', async () => {
    const kiosk = await mqtt.connectAsync(broker.url, { clientId: 'kiosk-graceful', protocolVersion: 4 })
    let seq = 0
    const publish = async (count: number) => {
      const window: Promise<unknown>[] = []
      for (let i = 0; i < count; i++) {
        seq += 1
        window.push(
          kiosk.publishAsync(topics.health('grace-k1'), JSON.stringify(sampleHealth({ seq, ts: Date.now() })), {
            qos: 1,
          }),
        )
        if (window.length >= 50) await window.shift()
      }
      await Promise.all(window)
    }

    let fleet = await start()
    await publish(1000)
    // Stop while it is still taking messages in: what it accepted is written, the rest stays queued.
    await waitFor('ingest under way', () => fleet.ingestor.stats.received > 300)
    await fleet.stop()
    const writtenBeforeStop = fleet.ingestor.stats.written
    await publish(1000) // while the fleet-server is down: the broker queues them for its session
    fleet = await start()
    await publish(1000)
    await kiosk.endAsync()

    const stored = await waitFor(
      'every message stored',
      async () => {
        const [r] = await fleet.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM health_history WHERE kiosk_id = 'grace-k1'",
        )
        return r !== undefined && r.n === 3000 && r.n
      },
      30_000,
    )
    expect(stored).toBe(3000)
    expect(writtenBeforeStop).toBeGreaterThan(0)
  })
})

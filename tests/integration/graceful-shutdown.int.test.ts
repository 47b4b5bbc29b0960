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

  it('loses no message that was published while it stopped and started again', async () => {
    const total = 3000
    let fleet = await start()
    const kiosk = await mqtt.connectAsync(broker.url, { clientId: 'kiosk-graceful', protocolVersion: 4 })
    let published = 0
    const publishing = (async () => {
      const window: Promise<unknown>[] = []
      for (let seq = 1; seq <= total; seq++) {
        window.push(
          kiosk.publishAsync(topics.health('grace-k1'), JSON.stringify(sampleHealth({ seq, ts: Date.now() })), {
            qos: 1,
          }),
        )
        published = seq
        if (window.length >= 50) await window.shift()
        if (seq % 100 === 0) await new Promise((r) => setTimeout(r, 5))
      }
      await Promise.all(window)
    })()

    // Stop in the middle of the stream: everything accepted is written, the rest waits in the broker.
    await waitFor('ingest under way', () => fleet.ingestor.stats.received > 300)
    await fleet.stop()
    const writtenBeforeStop = fleet.ingestor.stats.written
    expect(published).toBeLessThan(total)
    fleet = await start()
    await publishing
    await kiosk.endAsync()

    const rows = await waitFor(
      'every message stored',
      async () => {
        const [r] = await fleet.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM health_history WHERE kiosk_id = 'grace-k1'",
        )
        return r !== undefined && r.n === total && r.n
      },
      30_000,
    )
    expect(rows).toBe(total)
    expect(writtenBeforeStop).toBeGreaterThan(0)
  })
})

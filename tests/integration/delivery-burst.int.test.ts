import { afterAll, describe, expect, it } from 'vitest'
import { type DeliveryRig, deliveryRig } from '../support/delivery-rig.ts'
import { type FleetProcess, fleetProcess } from '../support/fleet-process.ts'
import { waitFor } from '../support/wait-for.ts'

// Every kiosk drains its outbox at once after an outage, much faster than ingest commits (the CI
// size of the 3× overload; `npm run sim` runs the full size). Mosquitto's default queue of
// 1,000 messages for the fleet's session dropped most of such a burst; the generated config holds it.
const KIOSKS = 200
const PER_KIOSK = 40

describe('an outbox burst from every kiosk on Mosquitto with the generated config', { timeout: 300_000 }, () => {
  let rig: DeliveryRig
  let fleet: FleetProcess
  afterAll(async () => {
    await fleet?.kill()
    await rig?.close()
  })

  it('loses no acknowledged message and keeps the fleet-server bounded', async () => {
    rig = await deliveryRig('burst', KIOSKS)
    const broker = await rig.startMosquitto()
    fleet = fleetProcess(rig.fleetSettings({ url: broker.url, clientId: 'fleet-burst' }), 'fleet-burst')
    await fleet.start()
    const kiosks = await rig.startKiosks(broker.url)
    const startedAt = Date.now()
    let peakBacklog = 0
    const sampler = setInterval(async () => {
      const acked = kiosks.reduce((n, k) => n + k.acked.size, 0)
      const stored = await rig.storedCount().catch(() => undefined)
      if (stored !== undefined) peakBacklog = Math.max(peakBacklog, acked - stored)
    }, 500)
    await Promise.all(kiosks.map((k) => k.drain(PER_KIOSK)))
    const drainedMs = Date.now() - startedAt
    const missing = await waitFor(
      'every acknowledged message stored',
      async () => {
        const m = await rig.missing(kiosks)
        return m.length === 0 ? m : undefined
      },
      120_000,
    ).catch(async () => rig.missing(kiosks))
    clearInterval(sampler)
    const total = KIOSKS * PER_KIOSK
    process.stdout.write(
      `burst: ${total} messages from ${KIOSKS} kiosks acknowledged by Mosquitto in ${drainedMs} ms, all stored after ${Date.now() - startedAt} ms; ` +
        `peak broker backlog (acknowledged, not yet stored) ${peakBacklog}; fleet-server peak RSS ${Math.round(fleet.peakRssKiB / 1024)} MiB; lost ${missing.length}\n`,
    )
    expect(missing).toEqual([])
  })
})

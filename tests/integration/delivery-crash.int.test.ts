import { afterAll, describe, expect, it } from 'vitest'
import type { SimKiosk } from '../../scripts/sim/sim-kiosk.ts'
import { type DeliveryRig, deliveryRig } from '../support/delivery-rig.ts'
import { type FleetProcess, fleetProcess } from '../support/fleet-process.ts'
import { freePort } from '../support/free-port.ts'
import { waitFor } from '../support/wait-for.ts'

const KIOSKS = 20
const PER_KIOSK = 150

/** Drains every kiosk's outbox while the fleet-server is killed (SIGKILL) twice and restarted. */
async function drainThroughKills(rig: DeliveryRig, fleet: FleetProcess, kiosks: SimKiosk[]): Promise<void> {
  const acked = () => kiosks.reduce((n, k) => n + k.acked.size, 0)
  const draining = Promise.all(kiosks.map((k) => k.drain(PER_KIOSK)))
  const progress = setInterval(() => {
    if (process.env.TEST_LOG_LEVEL !== undefined)
      process.stderr.write(`acked ${acked()} connected ${kiosks.filter((k) => k.connected).length}\n`)
  }, 2000)
  for (const at of [0.25, 0.6]) {
    await waitFor(`${at * 100}% acknowledged`, () => acked() >= KIOSKS * PER_KIOSK * at, 60_000)
    await fleet.kill()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await fleet.start()
  }
  await draining
  clearInterval(progress)
  // Every kiosk deleted every message from its outbox: each must be in the database.
  await waitFor(
    'every acknowledged message stored',
    async () => (await rig.missing(kiosks)).length === 0,
    30_000,
  ).catch(() => undefined)
}

describe('kill -9 of the fleet-server mid-stream loses nothing acknowledged', { timeout: 240_000 }, () => {
  const rigs: DeliveryRig[] = []
  const fleets: FleetProcess[] = []
  afterAll(async () => {
    for (const f of fleets) await f.kill()
    for (const r of rigs) await r.close()
  })

  it('on the embedded broker (the kiosk is acknowledged after commit)', async () => {
    const rig = await deliveryRig('crash-emb', KIOSKS)
    rigs.push(rig)
    const port = await freePort()
    const fleet = fleetProcess(rig.fleetSettings({ embedded: { port }, clientId: 'fleet-crash' }), 'fleet-embedded')
    fleets.push(fleet)
    await fleet.start()
    const kiosks = await rig.startKiosks(`mqtt://127.0.0.1:${port}`)
    await drainThroughKills(rig, fleet, kiosks)
    const missing = await rig.missing(kiosks)
    process.stdout.write(
      `embedded: ${KIOSKS * PER_KIOSK} published, ${await rig.storedCount()} stored, ${missing.length} lost, fleet peak RSS ${Math.round(fleet.peakRssKiB / 1024)} MiB\n`,
    )
    expect(missing).toEqual([])
  })

  it('on Mosquitto with the generated config (PUBACK to the broker after commit)', async () => {
    const rig = await deliveryRig('crash-mq', KIOSKS)
    rigs.push(rig)
    const broker = await rig.startMosquitto()
    const fleet = fleetProcess(rig.fleetSettings({ url: broker.url, clientId: 'fleet-crash' }), 'fleet-mosquitto')
    fleets.push(fleet)
    await fleet.start()
    const kiosks = await rig.startKiosks(broker.url)
    await drainThroughKills(rig, fleet, kiosks)
    const missing = await rig.missing(kiosks)
    process.stdout.write(
      `mosquitto: ${KIOSKS * PER_KIOSK} published, ${await rig.storedCount()} stored, ${missing.length} lost, fleet peak RSS ${Math.round(fleet.peakRssKiB / 1024)} MiB\n`,
    )
    expect(missing).toEqual([])
  })
})

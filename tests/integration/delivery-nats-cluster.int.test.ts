import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KioskCredentials, writeNatsAuthFile } from '@fleet/server'
import { afterAll, describe, expect, it } from 'vitest'
import { type DeliveryRig, deliveryRig } from '../support/delivery-rig.ts'
import { type FleetProcess, fleetProcess } from '../support/fleet-process.ts'
import { TEST_FLEET_MQTT } from '../support/kiosk-credentials.ts'
import { type NatsCluster, startNatsCluster } from '../support/nats-cluster.ts'
import { waitFor } from '../support/wait-for.ts'

const KIOSKS = 12
const PER_KIOSK = 100

describe('the clustered engine: 3 NATS JetStream nodes, 2 fleet-server replicas, PostgreSQL', {
  timeout: 300_000,
}, () => {
  let rig: DeliveryRig
  let cluster: NatsCluster
  const replicas: FleetProcess[] = []
  afterAll(async () => {
    for (const r of replicas) await r.kill()
    await cluster?.dispose()
    await rig?.close()
  })

  it('loses and strands nothing when one broker node and one replica are killed mid-stream', async () => {
    rig = await deliveryRig('nats', KIOSKS)
    // The production set-up: kiosks and replicas log in with the users `fleet-server nats-config` writes.
    const auth = await writeNatsAuthFile({
      dir: mkdtempSync(join(tmpdir(), 'nats-auth-')),
      fleet: TEST_FLEET_MQTT,
      kiosks: await new KioskCredentials(rig.db).list(),
    })
    cluster = await startNatsCluster(3, { include: auth.file })
    const [n1, n2, n3] = cluster.nodes
    if (n1 === undefined || n2 === undefined || n3 === undefined) throw new Error('three nodes expected')
    const settings = (clientId: string) =>
      rig.fleetSettings({
        url: n1.mqttUrl,
        clientId,
        jetstream: { servers: cluster.nodes.map((n) => n.natsUrl), ...TEST_FLEET_MQTT, ackWaitMs: 5000 },
      })
    const a = fleetProcess(settings('fleet-nats-a'), 'nats-replica-a')
    const b = fleetProcess(settings('fleet-nats-b'), 'nats-replica-b')
    replicas.push(a, b)
    await a.start()
    await b.start()
    // Unchanged MQTT 3.1.1 kiosks, spread over the three nodes' MQTT listeners.
    const kiosks = await rig.startKiosks(cluster.nodes.map((n) => n.mqttUrl).join(','))
    const draining = Promise.all(kiosks.map((k) => k.drain(PER_KIOSK)))
    await waitFor(
      'a third drained',
      () => kiosks.reduce((n, k) => n + k.acked.size, 0) > (KIOSKS * PER_KIOSK) / 3,
      90_000,
    )
    await n3.kill()
    await b.kill()
    await draining
    const missing = await waitFor(
      'every acknowledged message stored',
      async () => {
        const m = await rig.missing(kiosks)
        return m.length === 0 ? m : undefined
      },
      90_000,
    ).catch(async () => rig.missing(kiosks))
    process.stdout.write(
      `nats cluster: ${KIOSKS * PER_KIOSK} published, ${await rig.storedCount()} stored, ${missing.length} lost or stranded after killing node n3 and one replica\n`,
    )
    expect(missing).toEqual([])
  })
})

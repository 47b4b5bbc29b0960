import { afterAll, describe, expect, it } from 'vitest'
import { type DeliveryRig, deliveryRig } from '../support/delivery-rig.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { type FleetProcess, fleetProcess } from '../support/fleet-process.ts'
import { TEST_FLEET_MQTT } from '../support/kiosk-credentials.ts'
import type { MosquittoProcess } from '../support/mosquitto.ts'
import { waitFor } from '../support/wait-for.ts'

const KIOSKS = 12
const PER_KIOSK = 100
/** Longer than a replica's death takes to be noticed and its session adopted. */
const GAP_GRACE_MS = 12_000
/** Numbers one kiosk skips (never sends) while both replicas split its stream. */
const SKIPPED = 7

async function login(httpUrl: string): Promise<string> {
  const response = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
  })
  const cookie = response.headers.get('set-cookie')?.split(';')[0]
  if (!response.ok || cookie === undefined) throw new Error(`login at ${httpUrl} failed: ${response.status}`)
  return cookie
}

/** Kiosk ids in the `kiosks` events of a replica's live stream (SSE), as a dashboard sees them. */
function liveKiosks(httpUrl: string, cookie: string): { seen: Set<string>; close(): void } {
  const seen = new Set<string>()
  const abort = new AbortController()
  void (async () => {
    const response = await fetch(`${httpUrl}/api/stream`, { headers: { cookie }, signal: abort.signal })
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = /^event: kiosks\ndata: (.*)$/s.exec(event)?.[1]
        if (data !== undefined) for (const k of JSON.parse(data) as { id: string }[]) seen.add(k.id)
      }
    }
  })().catch(() => undefined)
  return { seen, close: () => abort.abort() }
}

describe('two fleet-server replicas on one Mosquitto and one PostgreSQL', { timeout: 300_000 }, () => {
  let rig: DeliveryRig
  let broker: MosquittoProcess
  const replicas: FleetProcess[] = []
  afterAll(async () => {
    for (const r of replicas) await r.kill()
    await rig?.close()
  })

  it('boot together, answer every command through either, show every change on both, strand nothing when one dies', async () => {
    rig = await deliveryRig('rep', KIOSKS)
    broker = await rig.startMosquitto(3)
    // Each replica its own broker user (Mosquitto binds the client id to it), one shared group.
    const settings = (username: string, clientId: string) => ({
      ...rig.fleetSettings({ url: broker.url, username, clientId, sharedGroup: 'fleet', adoptAfterMs: 3000 }),
      ingest: { maxDelayMs: 20, gapGraceMs: GAP_GRACE_MS },
    })
    const a = fleetProcess(settings(TEST_FLEET_MQTT.username, 'fleet-a'), 'replica-a')
    const b = fleetProcess(settings(`${TEST_FLEET_MQTT.username}-2`, 'fleet-b'), 'replica-b')
    replicas.push(a, b)
    // First boot of both on a fresh database at once: one migrates, one creates the admin, none crashes.
    await Promise.all([a.start(), b.start()])
    const cookies = await Promise.all([login(a.httpUrl), login(b.httpUrl)])
    const streams = [liveKiosks(a.httpUrl, cookies[0]), liveKiosks(b.httpUrl, cookies[1])]
    await new Promise((resolve) => setTimeout(resolve, 500))
    const kiosks = await rig.startKiosks(broker.url)

    // Live: each replica's dashboard sees every kiosk, though each ingested only part of them.
    await kiosks[0]?.drain(5)
    for (const [i, stream] of streams.entries())
      await waitFor(
        `replica ${i} dashboard sees every kiosk`,
        () => rig.kioskIds.every((id) => stream.seen.has(id)),
        30_000,
      )

    // Commands: the response reaches whichever replica the broker hands it to; every one is answered.
    const outcomes: string[] = []
    for (const [i, url] of [a.httpUrl, b.httpUrl].entries()) {
      for (const kioskId of rig.kioskIds.slice(0, 6)) {
        const response = await fetch(`${url}/api/kiosks/${kioskId}/commands/ping`, {
          method: 'POST',
          headers: { cookie: cookies[i] as string, 'content-type': 'application/json' },
          body: JSON.stringify({ timeoutMs: 10_000 }),
        })
        outcomes.push(((await response.json()) as { status: string }).status)
      }
    }
    expect(outcomes).toEqual(Array(12).fill('ok'))

    // A kiosk loses 7 numbered messages while both replicas take parts of its stream.
    const lossy = kiosks[2] as (typeof kiosks)[number]
    lossy.lose(SKIPPED)
    await lossy.drain(4)

    // One replica dies mid-stream and never returns: the other adopts its session, nothing strands.
    const draining = Promise.all(kiosks.map((k) => k.drain(PER_KIOSK)))
    await waitFor(
      'a third drained',
      () => kiosks.reduce((n, k) => n + k.acked.size, 0) > (KIOSKS * PER_KIOSK) / 3,
      60_000,
    )
    await b.kill()
    await draining
    const missing = await waitFor(
      'every acknowledged message stored by the surviving replica',
      async () => {
        const m = await rig.missing(kiosks)
        return m.length === 0 ? m : undefined
      },
      60_000,
    ).catch(async () => rig.missing(kiosks))
    for (const s of streams) s.close()
    process.stdout.write(
      `replicas: ${KIOSKS * PER_KIOSK + 5} published, ${await rig.storedCount()} stored, ${missing.length} stranded or lost; peak RSS a ${Math.round(a.peakRssKiB / 1024)} MiB\n`,
    )
    expect(missing).toEqual([])

    // Sequence gaps over the whole fleet, though each replica saw only part of every stream: the
    // skipped numbers counted exactly on their kiosk, and nothing else (not a sibling's message,
    // not what the dead replica's adopted session delivered late).
    const counts = async () =>
      Object.fromEntries(
        (
          await rig.db.query<{ id: string; n: string | number }>(
            'SELECT id, missing_messages AS n FROM kiosks WHERE id = ANY($1) AND missing_messages > 0',
            [rig.kioskIds],
          )
        ).map((r) => [r.id, Number(r.n)]),
      )
    await waitFor('the skipped numbers counted', async () => ((await counts())[lossy.kioskId] ?? 0) > 0, 60_000)
    await new Promise((resolve) => setTimeout(resolve, GAP_GRACE_MS))
    expect(await counts()).toEqual({ [lossy.kioskId]: SKIPPED })
  })
})

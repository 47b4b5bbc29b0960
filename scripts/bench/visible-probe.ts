/**
 * Publish → visible: how long after a kiosk publishes a health report the fleet shows it, on the
 * live dashboard's stream (`GET /api/stream`, server-sent events) and in the API (a client reading the
 * kiosk back to back until the report is there). Each probe report carries its own publish time as
 * `ts`, which the fleet answers as the kiosk's `lastReportAt`, so a report is recognised exactly.
 */

import { topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'

export interface VisibleProbeOptions {
  baseUrl: string
  brokerUrl: string
  /** A logged-in dashboard session (`name=value`). */
  cookie: string
  /** Kiosks the probes publish as: the first half is watched on the stream, the rest through the API. */
  kioskIds: string[]
  /** A health report of `kioskId` numbered `seq` taken at `ts` (ms), as JSON. */
  payload: (kioskId: string, seq: number, ts: number) => string
  /** The number of each probe kiosk's first report: one above its last, or the fleet counts a gap. */
  firstSeq: number
  seconds: number
  /** How often a stream probe publishes, ms. */
  everyMs: number
}

export interface VisibleLatencies {
  /** Publish → the report on the stream, ms, sorted. */
  stream: number[]
  /** Publish → the report in `GET /api/kiosks/:id`, ms, sorted. */
  api: number[]
  /** Reports never seen within the run (and 10 s after it). */
  unseen: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function publishToVisible(o: VisibleProbeOptions): Promise<VisibleLatencies> {
  const half = Math.max(1, Math.floor(o.kioskIds.length / 2))
  const streamIds = o.kioskIds.slice(0, half)
  const apiIds = o.kioskIds.slice(half)
  const clients = new Map<string, MqttClient>()
  for (const id of o.kioskIds)
    clients.set(id, await mqtt.connectAsync(o.brokerUrl, { clientId: `bench-probe-${id}`, protocolVersion: 4 }))
  // Each kiosk numbers its own reports, one after another, as an agent does.
  const seqs = new Map(o.kioskIds.map((id) => [id, o.firstSeq]))
  const publish = async (id: string): Promise<{ ts: number; at: number }> => {
    const seq = seqs.get(id) ?? o.firstSeq
    seqs.set(id, seq + 1)
    const at = performance.now()
    const ts = Date.now()
    await clients.get(id)?.publishAsync(topics.health(id), o.payload(id, seq, ts), { qos: 1 })
    return { ts, at }
  }

  const stream: number[] = []
  const api: number[] = []
  let unseen = 0
  const waiting = new Map<string, { ts: number; at: number }>()
  const aborter = new AbortController()
  const response = await fetch(`${o.baseUrl}/api/stream`, { headers: { cookie: o.cookie }, signal: aborter.signal })
  if (!response.ok || response.body === null) throw new Error(`/api/stream: HTTP ${response.status}`)
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (!block.startsWith('event: kiosks\n')) continue
          const data = block.slice(block.indexOf('data: ') + 6)
          for (const view of JSON.parse(data) as { id: string; lastReportAt: string | null }[]) {
            const probe = waiting.get(view.id)
            if (probe !== undefined && view.lastReportAt !== null && Date.parse(view.lastReportAt) >= probe.ts) {
              stream.push(performance.now() - probe.at)
              waiting.delete(view.id)
            }
          }
        }
      }
    } catch (err) {
      if (!aborter.signal.aborted) throw err
    }
  })()

  const deadline = performance.now() + o.seconds * 1000
  const streamProbes = (async () => {
    for (let n = 0; performance.now() < deadline; n++) {
      const id = streamIds[n % streamIds.length] as string
      if (waiting.has(id)) unseen += 1
      waiting.set(id, await publish(id))
      await sleep(o.everyMs)
    }
  })()
  const apiProbes = (async () => {
    for (let n = 0; performance.now() < deadline && apiIds.length > 0; n++) {
      const id = apiIds[n % apiIds.length] as string
      const probe = await publish(id)
      const giveUp = performance.now() + 10_000
      for (;;) {
        const view = (await (
          await fetch(`${o.baseUrl}/api/kiosks/${id}`, { headers: { cookie: o.cookie } })
        ).json()) as { lastReportAt: string | null }
        if (view.lastReportAt !== null && Date.parse(view.lastReportAt) >= probe.ts) {
          api.push(performance.now() - probe.at)
          break
        }
        if (performance.now() > giveUp) {
          unseen += 1
          break
        }
      }
    }
  })()
  await Promise.all([streamProbes, apiProbes])
  const giveUp = performance.now() + 10_000
  while (waiting.size > 0 && performance.now() < giveUp) await sleep(50)
  unseen += waiting.size
  aborter.abort()
  await reading
  await Promise.all([...clients.values()].map((c) => c.endAsync(true)))
  return { stream: stream.sort((a, b) => a - b), api: api.sort((a, b) => a - b), unseen }
}

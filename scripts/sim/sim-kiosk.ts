/**
 * A contract-faithful simulated kiosk (protocol/ only, no drivers): logs in with its own MQTT
 * credential as client `kiosk-{id}`, registers its Last Will, publishes birth and `online`, drains an
 * outbox of health snapshots with QoS 1 through a bounded in-flight window (deleting a message only on
 * PUBACK, as the agent's outbox does), and answers `ping` and `rebirth` requests. Used by `npm run sim`,
 * the benchmarks and the delivery tests.
 */
import { type HealthPayload, type StatePayload, sampleBirth, sampleHealth, topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'

export interface SimKioskOptions {
  kioskId: string
  /** Broker URL, or several comma-separated (a cluster's nodes): the kiosk fails over between them. */
  url: string
  password?: string | undefined
  /** QoS 1 publishes awaiting PUBACK at once (the agent's `mqtt.inflightWindow`, default 64). */
  inflight?: number
  reconnectPeriodMs?: number
}

export interface SimKiosk {
  readonly kioskId: string
  /** Sequence numbers the broker acknowledged: the kiosk has deleted them from its outbox. */
  readonly acked: Set<number>
  /** Messages still in the outbox (queued or awaiting PUBACK). */
  readonly pending: number
  readonly connected: boolean
  /** Appends `count` health snapshots to the outbox; resolves once every one is acknowledged. */
  drain(count: number): Promise<void>
  /** Numbers `count` messages that are never sent, like an agent whose full outbox dropped its oldest. */
  lose(count: number): void
  /** Requests answered (ping, rebirth). */
  readonly answered: number
  close(): Promise<void>
}

/** A realistic health snapshot of a comprehensive machine, about 1 KB of JSON. */
export function simHealthPayload(seq: number, uptimeS = seq): string {
  const base = sampleHealth()
  const peripherals: HealthPayload['peripherals'] = [
    ...base.peripherals,
    {
      deviceId: 'a4',
      status: { state: 'online', paper: 'full', cover: 'closed' },
      counters: { jobs: 311, pages: 930 },
    },
    { deviceId: 'qr', status: { state: 'online' }, counters: { scans: 1201, discardedBytes: 0 } },
  ]
  return JSON.stringify({ ...base, seq, ts: Date.now(), uptimeS, peripherals })
}

/** How long a simulated kiosk keeps trying to connect before its start fails. */
const CONNECT_DEADLINE_MS = 120_000

export async function startSimKiosk(o: SimKioskOptions): Promise<SimKiosk> {
  const { kioskId } = o
  const session = Date.now()
  const offline: StatePayload = { state: 'offline', session, ts: session, reason: 'lastWill' }
  const all = o.url.split(',').map((u) => new URL(u.trim()))
  // Kiosks spread over a cluster's nodes: each starts at its own node and fails over to the next.
  const first = [...kioskId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % all.length
  const urls = [...all.slice(first), ...all.slice(0, first)]
  const client: MqttClient = mqtt.connect({
    servers: urls.map((u) => ({ host: u.hostname, port: Number(u.port || 1883), protocol: 'mqtt' as const })),
    clientId: `kiosk-${kioskId}`,
    username: kioskId,
    password: o.password,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    reconnectPeriod: o.reconnectPeriodMs ?? 250,
    // As the agent: "server unavailable" (ingest not ready yet) is retried, not final.
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    will: { topic: topics.state(kioskId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
  })
  // As the agent: a CONNACK that times out in a connect storm, or a broker not ready, is tried again
  // (`reconnectPeriod`), never the end of the kiosk; MQTT.js reports each one as an error event. Only
  // wrong credentials (CONNACK 4 or 5) end the start at once.
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(giveUp)
      client.end(true)
      reject(err)
    }
    const giveUp = setTimeout(
      () => fail(new Error(`simulated kiosk ${kioskId}: not connected within ${CONNECT_DEADLINE_MS} ms`)),
      CONNECT_DEADLINE_MS,
    )
    client.on('error', (err: Error & { code?: number }) => {
      if (!client.connected && (err.code === 4 || err.code === 5)) fail(err)
    })
    client.once('connect', () => {
      clearTimeout(giveUp)
      resolve()
    })
  })
  let seq = 0
  const acked = new Set<number>()
  let pending = 0
  let answered = 0
  const windowSize = o.inflight ?? 64
  const nextSeq = () => {
    seq += 1
    return seq
  }
  await client.publishAsync(
    topics.birth(kioskId),
    JSON.stringify(sampleBirth({ kioskId, seq: nextSeq(), ts: Date.now() })),
    {
      qos: 1,
    },
  )
  const online: StatePayload = { state: 'online', session, ts: Date.now(), reason: 'connected' }
  await client.publishAsync(topics.state(kioskId), JSON.stringify(online), { qos: 1, retain: true })
  await client.subscribeAsync(topics.request(kioskId, '+'), { qos: 1 })
  // Like the agent, every new connection announces itself again (a clean session forgets the old one).
  client.on('connect', () => {
    const again: StatePayload = { state: 'online', session: Date.now(), ts: Date.now(), reason: 'connected' }
    client.publish(topics.state(kioskId), JSON.stringify(again), { qos: 1, retain: true })
    client.subscribe(topics.request(kioskId, '+'), { qos: 1 })
  })
  client.on('message', (topic, payload) => {
    const command = topic.slice(topic.lastIndexOf('/') + 1)
    let transaction: unknown
    try {
      transaction = (JSON.parse(payload.toString()) as { transaction?: unknown }).transaction
    } catch {
      return
    }
    if (typeof transaction !== 'string') return
    const data =
      command === 'ping'
        ? { receivedAt: Date.now(), appVersion: 'sim-1.0.0' }
        : command === 'rebirth'
          ? { seq }
          : undefined
    const response =
      data === undefined
        ? { transaction, ts: Date.now(), status: 'error', error: { code: 'ERR_KIOSK_UNSUPPORTED', message: command } }
        : { transaction, ts: Date.now(), status: 'ok', data }
    answered += 1
    client.publish(topics.response(kioskId, command), JSON.stringify(response), { qos: 1 })
  })

  return {
    kioskId,
    acked,
    get pending() {
      return pending
    },
    get connected() {
      return client.connected
    },
    get answered() {
      return answered
    },
    async drain(count) {
      pending += count
      const inFlight = new Set<Promise<void>>()
      for (let i = 0; i < count; i++) {
        const s = nextSeq()
        // MQTT.js keeps an unacknowledged QoS 1 publish and sends it again after a reconnect.
        const p: Promise<void> = client
          .publishAsync(topics.health(kioskId), simHealthPayload(s), { qos: 1 })
          .then(() => {
            acked.add(s)
            pending -= 1
            inFlight.delete(p)
          })
        inFlight.add(p)
        if (inFlight.size >= windowSize) await Promise.race(inFlight)
      }
      await Promise.all(inFlight)
    },
    lose(count) {
      seq += count
    },
    async close() {
      await client.endAsync(true)
    },
  }
}

import { SERVER_SUBSCRIPTIONS, TOPIC_ROOT } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import type { CommandSender } from '../commands/command-sender.ts'
import type { Ingestor } from './ingestor.ts'

export interface FleetMqttOptions {
  url: string
  clientId: string
  username?: string | undefined
  password?: string | undefined
  keepaliveS: number
  sharedGroup?: string | undefined
  /**
   * Subscribe to kiosk reports (default). False with the embedded broker, which hands them to
   * ingest in-process (broker-hand-over.ts): then only command responses come through here.
   */
  ingestTopics?: boolean
  /** Reconnect after a lost connection (default). Off for an adopted session (session-keeper.ts). */
  reconnect?: boolean
  ingestor: Ingestor
  commands: () => CommandSender
  logger: Logger
  /** node:tls options for mqtts:// (tls/transport-security.ts `mqttClientTls`). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean }
}

/** Command responses go to every replica (each resolves its own waiting requests by transaction). */
export const RESPONSE_SUBSCRIPTION = `${TOPIC_ROOT}/+/res/+`

/** What ingest subscribes to, shared between replicas when `sharedGroup` is set. */
export function ingestSubscriptions(sharedGroup: string | undefined): string[] {
  const prefix = sharedGroup ? `$share/${sharedGroup}/` : ''
  return SERVER_SUBSCRIPTIONS.filter((t) => t !== RESPONSE_SUBSCRIPTION).map((t) => prefix + t)
}

/** Passed to MQTT.js's handleMessage callback: "go on reading, but do not send the PUBACK". */
const ACK_DEFERRED = new Error('acknowledged after commit')

/**
 * PUBACK of MQTT 3.1.1 [MQTT-3.4]: fixed header 0x40, remaining length 2, packet identifier.
 * Written by the ingest, in arrival order, once the message is committed.
 */
export function pubackPacket(messageId: number): Uint8Array {
  return Uint8Array.of(0x40, 0x02, (messageId >> 8) & 0xff, messageId & 0xff)
}

/**
 * The fleet-server's MQTT client. When it ingests, a persistent session (clean: false), so QoS 1
 * messages published while the server is down wait in the broker. A message is acknowledged (PUBACK) only once ingest
 * has committed it or deliberately refused it, so a crash loses nothing: the broker redelivers what
 * was not acknowledged and the store absorbs the duplicates.
 *
 * MQTT.js hands the next packet over only after `handleMessage` calls back, and sends the PUBACK
 * from that callback; holding it until the batch commits would write one message per batch. So the
 * callback is called at once with ACK_DEFERRED (MQTT.js then reads on without acknowledging) and the
 * PUBACK is written from the commit, on the connection the message came in on: after a reconnect the
 * broker redelivers instead. How many messages are in flight at once is the broker's inflight window
 * (Mosquitto `max_inflight_messages`, NATS `mqtt.max_ack_pending`); beyond `ingest.maxQueue` the
 * client stops reading (backpressure).
 */
export interface FleetMqttLink {
  client: MqttClient
  close(): Promise<void>
}

export async function connectFleetMqtt(options: FleetMqttOptions): Promise<FleetMqttLink> {
  const { ingestor, logger } = options
  let closing = false
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    // Only a session that ingests needs to outlive the connection; commands alone start clean.
    clean: options.ingestTopics === false,
    keepalive: options.keepaliveS,
    // Subscribed on every connect below, at once; MQTT.js's resubscribe would wait for its offline queue.
    resubscribe: false,
    reconnectPeriod: options.reconnect === false ? 0 : 1000,
    username: options.username,
    password: options.password,
    protocolVersion: 4,
    ...options.tls,
  })
  client.handleMessage = (packet, done) => {
    // While closing, nothing new is taken: unacknowledged, it stays with the broker.
    if (closing) return done(ACK_DEFERRED)
    const payload = packet.payload
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload
    const stream = client.stream
    const { messageId, qos } = packet
    const ack =
      qos === 1 && messageId !== undefined
        ? () => {
            if (client.stream === stream && !stream.destroyed && client.connected) stream.write(pubackPacket(messageId))
          }
        : undefined
    const parsed = ingestor.accept({ topic: packet.topic, payload: bytes, retained: packet.retain, ack })
    if (parsed?.kind === 'response') options.commands().handleResponse(parsed.kioskId, parsed.command, bytes)
    const next = () => done(qos === 1 ? ACK_DEFERRED : undefined)
    ingestor.waitForRoom().then(next, next)
  }
  client.on('error', (err) => logger.warn({ err: err.message }, 'mqtt error'))
  client.on('offline', () => logger.warn({ url: options.url }, 'broker unreachable'))
  const subscribed = new Promise<void>((resolve, reject) => {
    client.once('error', reject)
    client.on('connect', (connack) => {
      logger.info({ url: options.url, sessionPresent: connack.sessionPresent }, 'connected to broker')
      const reports = options.ingestTopics === false ? [] : ingestSubscriptions(options.sharedGroup)
      client.subscribe([...reports, RESPONSE_SUBSCRIPTION], { qos: 1 }, (err) => {
        if (err) logger.error({ err: err.message }, 'subscribe failed')
        else {
          client.off('error', reject)
          resolve()
        }
      })
    })
  })
  // Resolves once the first subscription is in place: no message published after that is missed.
  await subscribed
  return {
    client,
    /** Takes nothing new, commits and acknowledges what it has, then disconnects. */
    async close() {
      closing = true
      await ingestor.flush()
      await client.endAsync()
    },
  }
}

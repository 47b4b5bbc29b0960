import { SERVER_SUBSCRIPTIONS } from '@kiosk-fleet/protocol'
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
  ingestor: Ingestor
  commands: () => CommandSender
  logger: Logger
  /** node:tls options for mqtts:// (tls/transport-security.ts `mqttClientTls`). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean }
}

/**
 * The fleet-server's MQTT client. Persistent session (clean: false), so QoS 1 messages published
 * while the server restarts wait in the broker. PUBACK is sent once a message is accepted into the
 * batch; when too much is queued, acceptance waits for the database (backpressure to the broker).
 */
export async function connectFleetMqtt(
  options: FleetMqttOptions,
): Promise<{ client: MqttClient; close(): Promise<void> }> {
  const { ingestor, logger } = options
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    keepalive: options.keepaliveS,
    reconnectPeriod: 1000,
    username: options.username,
    password: options.password,
    protocolVersion: 4,
    ...options.tls,
  })
  client.handleMessage = (packet, done) => {
    const payload = packet.payload
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload
    const parsed = ingestor.accept(packet.topic, bytes, packet.retain)
    if (parsed?.kind === 'response') options.commands().handleResponse(parsed.kioskId, parsed.command, bytes)
    ingestor.waitForRoom().then(() => done(), done)
  }
  client.on('error', (err) => logger.warn({ err: err.message }, 'mqtt error'))
  client.on('offline', () => logger.warn({ url: options.url }, 'broker unreachable'))
  const prefix = options.sharedGroup ? `$share/${options.sharedGroup}/` : ''
  const subscribed = new Promise<void>((resolve, reject) => {
    client.once('error', reject)
    client.on('connect', (connack) => {
      logger.info({ url: options.url, sessionPresent: connack.sessionPresent }, 'connected to broker')
      client.subscribe(
        SERVER_SUBSCRIPTIONS.map((t) => prefix + t),
        { qos: 1 },
        (err) => {
          if (err) logger.error({ err: err.message }, 'subscribe failed')
          else {
            client.off('error', reject)
            resolve()
          }
        },
      )
    })
  })
  // Resolves once the first subscription is in place: no message published after that is missed.
  await subscribed
  return {
    client,
    async close() {
      await client.endAsync()
    },
  }
}

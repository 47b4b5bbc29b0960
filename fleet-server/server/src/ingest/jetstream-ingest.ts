import { AckPolicy, type ConsumerMessages, connect, type NatsConnection } from 'nats'
import type { Logger } from 'pino'
import type { Ingestor } from './ingestor.ts'

/** Where NATS keeps the QoS 1 messages MQTT clients publish: stream `$MQTT_msgs`, subjects `$MQTT.msgs.>`. */
const MQTT_STREAM = '$MQTT_msgs'
const SUBJECT_PREFIX = '$MQTT.msgs.'

export interface JetStreamIngestOptions {
  /** NATS client URLs of the cluster's nodes, e.g. `nats://n1:4222`. */
  servers: string[]
  user?: string | undefined
  pass?: string | undefined
  /** The durable consumer every replica pulls from (one queue, shared). */
  durable: string
  /** Messages delivered and not yet acknowledged, across all replicas: the window ingest batches. */
  maxAckPending: number
  /** A message not acknowledged this long (its replica died) is delivered again, to any replica. */
  ackWaitMs: number
  ingestor: Ingestor
  logger: Logger
}

/** `$MQTT.msgs.kiosk.v1.k1.health` → `kiosk/v1/k1/health` (NATS maps `/` to `.`; ids with `.` are refused by its MQTT listener). */
export function topicOfSubject(subject: string): string | undefined {
  if (!subject.startsWith(SUBJECT_PREFIX)) return undefined
  return subject.slice(SUBJECT_PREFIX.length).split('.').join('/')
}

/**
 * Ingest from NATS JetStream, the clustered engine (docs/scale.md "NATS"). Kiosks publish over NATS's
 * MQTT listener; their QoS 1 messages are stored in the `$MQTT_msgs` stream (replicated across the
 * cluster). NATS's MQTT side has no shared subscriptions, so the replicas do not subscribe over MQTT:
 * each pulls from one durable JetStream consumer, which hands every message to one replica and
 * keeps it until that replica acknowledges it after commit. A replica that dies leaves its
 * unacknowledged messages to be delivered again to the others after `ackWaitMs`: nothing strands.
 */
export async function startJetStreamIngest(o: JetStreamIngestOptions): Promise<{ close(): Promise<void> }> {
  const { ingestor, logger } = o
  const nc: NatsConnection = await connect({
    servers: o.servers,
    ...(o.user === undefined ? {} : { user: o.user, pass: o.pass }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    name: 'fleet-ingest',
  })
  const jsm = await nc.jetstreamManager()
  // Idempotent: every replica declares the same consumer; the first creates it.
  await jsm.consumers.add(MQTT_STREAM, {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: `${SUBJECT_PREFIX}kiosk.v1.>`,
    max_ack_pending: o.maxAckPending,
    ack_wait: o.ackWaitMs * 1_000_000,
  })
  const consumer = await nc.jetstream().consumers.get(MQTT_STREAM, o.durable)
  let closing = false
  let messages: ConsumerMessages | undefined
  const run = (async () => {
    while (!closing) {
      try {
        messages = await consumer.consume({ max_messages: Math.min(o.maxAckPending, 1000) })
        for await (const m of messages) {
          const topic = topicOfSubject(m.subject)
          if (topic === undefined) {
            m.term()
            continue
          }
          ingestor.accept({ topic, payload: m.data, ack: () => m.ack() })
          await ingestor.waitForRoom()
        }
      } catch (err) {
        if (closing) break
        logger.warn({ err }, 'jetstream ingest interrupted, resuming')
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  })()
  logger.info({ servers: o.servers, durable: o.durable }, 'ingesting from jetstream')
  return {
    async close() {
      closing = true
      await messages?.close()
      await run
      // Commit and acknowledge what was taken before the connection goes.
      await ingestor.flush()
      await nc.drain()
    },
  }
}

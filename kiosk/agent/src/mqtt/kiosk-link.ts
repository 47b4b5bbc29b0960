import { type Codecs, kioskSubscriptions, parseTopic, type StatePayload, topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import type { CommandDispatcher } from '../commands/command-dispatcher.ts'
import type { MqttTlsOptions } from './mqtt-tls.ts'
import type { Outbox } from './outbox.ts'

export interface KioskLinkOptions {
  kioskId: string
  mqtt: {
    url: string
    username?: string | undefined
    password?: string | undefined
    keepaliveS: number
    reconnectPeriodMs: number
    connectTimeoutMs: number
    inflightWindow: number
  }
  /** CA, client certificate and key for mqtts:// (mqtt-tls.ts). */
  tls?: MqttTlsOptions
  outbox: Outbox
  /** Next connection number (persisted by the caller, see SessionCounter). */
  nextSession: () => number
  codecs: Codecs
  dispatcher: CommandDispatcher
  logger: Logger
  /** Called on every (re)connect, after `online`, to queue birth and statuses before the drain. */
  onConnected: (session: number) => void
}

/**
 * The kiosk's MQTT link. Presence the Sparkplug way (retained `state`, Last Will offline with a
 * growing `session`), publishes everything else from the on-disk outbox in order with a bounded
 * QoS 1 window, acknowledges outbox records only on PUBACK, and dispatches fleet requests.
 */
export class KioskLink {
  readonly #o: KioskLinkOptions
  readonly #log: Logger
  #client: MqttClient | undefined
  readonly #inflight = new Set<number>()
  #session = 0
  #stopping = false
  #published = 0

  constructor(options: KioskLinkOptions) {
    this.#o = options
    this.#log = options.logger
  }

  get connected(): boolean {
    return this.#client?.connected ?? false
  }

  get publishedCount(): number {
    return this.#published
  }

  start(): void {
    const { kioskId, mqtt: m } = this.#o
    this.#stopping = false
    this.#session = this.#o.nextSession()
    const client = mqtt.connect(m.url, {
      clientId: `kiosk-${kioskId}`,
      clean: true,
      keepalive: m.keepaliveS,
      reconnectPeriod: m.reconnectPeriodMs,
      // A refused CONNECT (fleet not ready, credentials being rotated) is retried like any loss.
      reconnectOnConnackError: true,
      // The link subscribes itself on every connect. MQTT.js's own resubscribe would wait until its
      // offline queue has drained, one PUBACK at a time (the fleet acknowledges after it commits):
      // after an outage the kiosk would be deaf to commands for as long as that takes.
      resubscribe: false,
      connectTimeout: m.connectTimeoutMs,
      username: m.username,
      password: m.password,
      protocolVersion: 4,
      will: this.#will(),
      ...this.#o.tls,
    })
    this.#client = client
    client.on('reconnect', () => {
      // A new connection gets a new session number, so its will cannot be confused with the last one's.
      this.#session = this.#o.nextSession()
      client.options.will = this.#will()
    })
    client.on('connect', () => this.#onConnect(client))
    client.on('close', () => {
      if (this.#inflight.size > 0)
        this.#log.debug({ inflight: this.#inflight.size }, 'connection closed with unacked records')
      this.#inflight.clear()
    })
    client.on('offline', () => this.#log.warn({ url: m.url }, 'broker unreachable, recording to the outbox'))
    client.on('error', (err) =>
      this.#log.warn({ err: { message: err.message, code: (err as { code?: unknown }).code } }, 'mqtt error'),
    )
    client.on('message', (topic, payload) => {
      void this.#onMessage(topic, payload)
    })
  }

  /** Publishes pending outbox records, oldest first, keeping at most `inflightWindow` unacknowledged. */
  drain(): void {
    const client = this.#client
    if (!client?.connected) return
    for (const record of this.#o.outbox.pending()) {
      if (this.#inflight.size >= this.#o.mqtt.inflightWindow) return
      if (this.#inflight.has(record.seq)) continue
      this.#inflight.add(record.seq)
      client.publish(record.topic, record.payload, { qos: 1, retain: record.retain }, (err) => {
        this.#inflight.delete(record.seq)
        if (err) {
          this.#log.debug({ seq: record.seq, err: err.message }, 'publish not acknowledged, will retry')
          return
        }
        this.#published += 1
        this.#o.outbox.ack(record.seq)
        this.drain()
      })
    }
  }

  /**
   * Orderly shutdown: mark the kiosk offline ourselves (the broker only sends the will on an
   * unclean loss), give the outbox a moment to flush, then disconnect.
   */
  async stop(flushMs = 2000): Promise<void> {
    const client = this.#client
    if (!client) return
    this.#stopping = true
    if (client.connected) {
      const deadline = Date.now() + flushMs
      while (this.#o.outbox.pendingCount > 0 && client.connected && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const offline: StatePayload = { state: 'offline', session: this.#session, ts: Date.now(), reason: 'shutdown' }
      await client
        .publishAsync(topics.state(this.#o.kioskId), this.#o.codecs.state.encode(offline), { qos: 1, retain: true })
        .catch((err: Error) => this.#log.warn({ err: err.message }, 'could not publish offline state'))
    }
    await client.endAsync()
    this.#client = undefined
  }

  #will() {
    const will: StatePayload = { state: 'offline', session: this.#session, ts: Date.now(), reason: 'lastWill' }
    return {
      topic: topics.state(this.#o.kioskId),
      payload: Buffer.from(JSON.stringify(will)),
      qos: 1 as const,
      retain: true,
    }
  }

  #onConnect(client: MqttClient): void {
    // A reconnect that completes while stopping records nothing: the outbox is about to close.
    if (this.#stopping) return
    const { kioskId } = this.#o
    this.#log.info({ session: this.#session, pending: this.#o.outbox.pendingCount }, 'connected')
    const online: StatePayload = { state: 'online', session: this.#session, ts: Date.now(), reason: 'connected' }
    client.publish(topics.state(kioskId), this.#o.codecs.state.encode(online), { qos: 1, retain: true })
    client.subscribe(kioskSubscriptions(kioskId), { qos: 1 }, (err, granted) => {
      if (err) return this.#log.error({ err: err.message }, 'subscribe to requests failed')
      // A broker that refuses the subscription (SUBACK 0x80) leaves the kiosk deaf to commands: say so.
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic)
      if (refused.length > 0) this.#log.error({ topics: refused }, 'broker refused the request subscription')
    })
    this.#o.onConnected(this.#session)
    this.drain()
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseTopic(topic)
    if (parsed?.kind !== 'request' || parsed.kioskId !== this.#o.kioskId) {
      this.#log.warn({ topic }, 'message on an unexpected topic ignored')
      return
    }
    const response = await this.#o.dispatcher.dispatch(parsed, payload)
    if (response === undefined) return
    this.#client?.publish(topics.response(this.#o.kioskId, response.command), response.payload, { qos: 1 })
  }
}

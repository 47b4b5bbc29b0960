import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer, TLSSocket } from 'node:tls'
import { isValidId } from '@kiosk-fleet/protocol'
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes'
import type { Logger } from 'pino'
import type { EmbeddedBrokerTls } from '../tls/transport-security.ts'
import { type BrokerUser, isAllowed } from './acl-policy.ts'
import type { BrokerAuthenticator } from './broker-authenticator.ts'

export interface EmbeddedBroker {
  url: string
  port: number
  close(): Promise<void>
}

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2.3]. */
const CONNACK = { identifierRejected: 2, serverUnavailable: 3, badUserNameOrPassword: 4, notAuthorized: 5 } as const

const refuse = (message: string, returnCode: number) =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError

/**
 * An in-process MQTT 3.1.1 broker (Aedes) for the embedded default. It honours Last Will and
 * keep-alive (×1.5) like Mosquitto; production points the fleet-server at an external broker.
 */
export async function startEmbeddedBroker(options: {
  host: string
  port: number
  logger: Logger
  /**
   * Whether a client may connect now. The fleet-server admits only itself until its ingest has
   * subscribed, so a kiosk cannot publish its outbox into a broker nobody listens to yet (the
   * kiosk gets CONNACK 3, "server unavailable", and retries).
   */
  admit?: (clientId: string) => boolean
  /**
   * Credentials and access control (acl-policy.ts). Unset: an open broker, for development only.
   * A kiosk must connect as client `kiosk-{kioskId}` so it cannot take over another kiosk's session.
   */
  auth?: BrokerAuthenticator
  /**
   * In-process ingest. Every publish (and Last Will) it takes is handed over before the broker
   * acknowledges it to the kiosk: `commit` runs once ingest has committed (or deliberately refused)
   * it, and only then does the kiosk get its PUBACK and delete the message from its outbox. So a
   * kill -9 of the fleet-server (and this broker with it) loses nothing a kiosk was told is safe.
   * Returns false for topics it does not store (command responses), which pass straight on.
   */
  ingest?: (message: { topic: string; payload: Uint8Array; retain: boolean }, commit: () => void) => boolean
  /**
   * mqtts:// instead of mqtt://. With client certificates, a verified certificate whose CN is a kiosk
   * id logs that kiosk in without a password (`required`: kiosks must have one).
   */
  tls?: EmbeddedBrokerTls
}): Promise<EmbeddedBroker> {
  const { admit, auth, ingest, logger, tls } = options
  const clientCertificates = tls?.clientCertificates ?? 'off'
  const users = new WeakMap<Client, BrokerUser>()
  const willTopics = new WeakMap<Client, string>()
  const hooks: AedesOptions = {}
  if (auth !== undefined) {
    hooks.preConnect = (client, packet, done) => {
      if (packet.will) willTopics.set(client, packet.will.topic)
      done(null, true)
    }
  }
  if (auth !== undefined || admit !== undefined) {
    hooks.authenticate = (client, username, password, done) => {
      const decide = async (): Promise<AuthenticateError | undefined> => {
        let user: BrokerUser | undefined
        if (auth !== undefined) {
          const certified = clientCertificates === 'off' ? undefined : certificateKioskId(client)
          if (certified !== undefined && (username === undefined || username === certified)) {
            user = { kind: 'kiosk', kioskId: certified }
          } else {
            user = await auth.authenticate(username, password)
          }
          if (user === undefined) return refuse('bad user name or password', CONNACK.badUserNameOrPassword)
          if (user.kind === 'kiosk' && clientCertificates === 'required' && certified !== user.kioskId) {
            return refuse('kiosks must present their client certificate', CONNACK.notAuthorized)
          }
          if (user.kind === 'kiosk' && client.id !== `kiosk-${user.kioskId}`) {
            return refuse(
              `kiosk ${user.kioskId} must connect as client kiosk-${user.kioskId}`,
              CONNACK.identifierRejected,
            )
          }
          const will = willTopics.get(client)
          if (will !== undefined && !isAllowed(user, 'will', will)) {
            return refuse('last will not allowed on this topic', CONNACK.notAuthorized)
          }
        }
        if (admit !== undefined && user?.kind !== 'fleet' && !admit(client.id)) {
          return refuse('server unavailable: ingest not ready', CONNACK.serverUnavailable)
        }
        if (user !== undefined) users.set(client, user)
        return undefined
      }
      decide().then(
        (refusal) => {
          if (refusal === undefined) return done(null, true)
          logger.info({ clientId: client.id, username, reason: refusal.message }, 'connection refused')
          done(refusal, false)
        },
        (err: unknown) => {
          logger.error({ err, clientId: client.id }, 'authentication failed')
          done(refuse('server unavailable', CONNACK.serverUnavailable), false)
        },
      )
    }
  }
  const handOver = (
    packet: { topic: string; payload: Buffer | string; retain: boolean },
    done: (err: Error | null) => void,
  ) => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
    if (ingest === undefined || !ingest({ topic: packet.topic, payload, retain: packet.retain }, () => done(null)))
      done(null)
  }
  if (auth !== undefined || ingest !== undefined) {
    // Aedes writes a QoS 1 PUBACK only after this hook calls back, so the hand-over holds it.
    hooks.authorizePublish = (client, packet, done) => {
      // A null client is a will left by an earlier broker process; it was checked at its CONNECT.
      if (client === null || auth === undefined || isAllowed(users.get(client), 'publish', packet.topic))
        return handOver(packet, done)
      logger.warn({ clientId: client.id, topic: packet.topic }, 'publish denied')
      // Aedes closes the connection of a client that publishes where it may not [MQTT-3.3.5-2].
      done(new Error(`publish to ${packet.topic} not allowed`))
    }
  }
  if (auth !== undefined) {
    hooks.authorizeSubscribe = (client, subscription, done) => {
      if (isAllowed(users.get(client), 'subscribe', subscription.topic)) return done(null, subscription)
      logger.warn({ clientId: client.id, topic: subscription.topic }, 'subscribe denied')
      // A null subscription is refused with SUBACK 0x80, as Mosquitto does [MQTT-3.9.3].
      done(null, null)
    }
  }
  const aedes = await Aedes.createBroker(hooks)
  const server: Server =
    tls === undefined
      ? createServer(aedes.handle)
      : createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            requestCert: clientCertificates !== 'off',
            // An unverified certificate is not refused at the handshake: it just logs nobody in (CONNECT decides).
            rejectUnauthorized: false,
            minVersion: 'TLSv1.2',
          },
          aedes.handle,
        )
  if (tls !== undefined) {
    server.on('tlsClientError', (err: Error) => logger.debug({ err: err.message }, 'tls handshake failed'))
  }
  aedes.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'client error'))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  logger.info(
    { host: options.host, port, credentials: auth !== undefined, tls: tls !== undefined, clientCertificates },
    'embedded broker listening',
  )
  return {
    // On every address, the fleet-server connects through loopback (the broker's certificate names 127.0.0.1).
    url: `${tls === undefined ? 'mqtt' : 'mqtts'}://${options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The kiosk id a verified client certificate names (its subject CN), if the connection has one. */
function certificateKioskId(client: Client): string | undefined {
  const socket = client.conn as unknown
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined
  const cn = socket.getPeerCertificate().subject?.CN
  const id = Array.isArray(cn) ? cn[0] : cn
  return typeof id === 'string' && isValidId(id) ? id : undefined
}

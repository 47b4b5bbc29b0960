import { createServer, type Server } from 'node:net'
import { Aedes, type AuthenticateError } from 'aedes'
import type { Logger } from 'pino'

export interface EmbeddedBroker {
  url: string
  port: number
  close(): Promise<void>
}

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
}): Promise<EmbeddedBroker> {
  const admit = options.admit
  const aedes = await Aedes.createBroker(
    admit === undefined
      ? {}
      : {
          authenticate: (client, _username, _password, done) => {
            if (admit(client.id)) return done(null, true)
            const refusal = Object.assign(new Error('server unavailable: ingest not ready'), { returnCode: 3 })
            done(refusal as AuthenticateError, false)
          },
        },
  )
  const server: Server = createServer(aedes.handle)
  aedes.on('clientError', (client, err) =>
    options.logger.debug({ clientId: client.id, err: err.message }, 'client error'),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  options.logger.info({ host: options.host, port }, 'embedded broker listening')
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

import type { Logger } from 'pino'
import type { FleetMqttLink } from './fleet-mqtt.ts'
import type { IngestSession, SessionLeases } from './session-leases.ts'

export interface SessionKeeperOptions {
  leases: SessionLeases
  /** This replica's own session, already connected. */
  own: IngestSession
  /** A session nobody renewed for this long is adopted. */
  adoptAfterMs: number
  /** Opens a link on an adopted session, without reconnecting by itself. */
  connect(session: IngestSession): Promise<FleetMqttLink>
  logger: Logger
}

/**
 * Keeps the ingest's broker sessions consumed across replicas (docs/scale.md "Replicas"): renews
 * this replica's lease, adopts the session of a replica that stopped or died (its persistent
 * session and its share of `$share/…` messages would otherwise wait in the broker forever), and
 * lets go of an adopted session when its replica comes back and claims it.
 */
export function startSessionKeeper(o: SessionKeeperOptions): { adopted(): string[]; close(): Promise<void> } {
  const { leases, own, logger } = o
  const adopted = new Map<string, { session: IngestSession; link: FleetMqttLink | undefined }>()
  let closed = false
  let running: Promise<void> = Promise.resolve()

  const drop = async (clientId: string) => {
    const entry = adopted.get(clientId)
    adopted.delete(clientId)
    await entry?.link?.close().catch(() => undefined)
  }

  const open = async (session: IngestSession) => {
    const entry: { session: IngestSession; link: FleetMqttLink | undefined } = { session, link: undefined }
    adopted.set(session.clientId, entry)
    try {
      const link = await o.connect(session)
      entry.link = link
      // Kicked off (its replica came back and connected) or lost: the next tick decides.
      link.client.once('close', () => {
        if (entry.link === link) entry.link = undefined
      })
    } catch (err) {
      logger.warn({ err, clientId: session.clientId }, 'adopted session not reachable, retrying')
    }
  }

  const tick = async () => {
    const held = await leases.renew([own.clientId, ...adopted.keys()])
    if (!held.has(own.clientId)) {
      logger.warn({ clientId: own.clientId }, 'own ingest session was adopted by another replica, claiming it back')
      await leases.claim(own)
    }
    for (const [clientId, entry] of adopted) {
      if (!held.has(clientId)) {
        logger.info({ clientId }, 'adopted ingest session claimed back by its replica')
        await drop(clientId)
      } else if (entry.link === undefined) {
        await open(entry.session)
      }
    }
    const orphan = await leases.adopt(o.adoptAfterMs)
    if (orphan !== undefined) {
      logger.warn({ clientId: orphan.clientId }, 'adopting the ingest session of a replica that stopped')
      await open(orphan)
    }
  }

  const interval = Math.max(250, Math.floor(o.adoptAfterMs / 4))
  const timer = setInterval(() => {
    running = running
      .then(() => (closed ? undefined : tick()))
      .catch((err: unknown) => logger.warn({ err }, 'ingest session leases not renewed'))
  }, interval)
  timer.unref()

  return {
    adopted: () => [...adopted.keys()],
    async close() {
      closed = true
      clearInterval(timer)
      await running
      const ids = [...adopted.keys()]
      for (const id of ids) await drop(id)
      // Stopping for good: hand every session over now rather than after adoptAfterMs.
      await leases.release([own.clientId, ...ids]).catch((err: unknown) => {
        logger.warn({ err }, 'ingest sessions not released; they are adopted once stale')
      })
    },
  }
}

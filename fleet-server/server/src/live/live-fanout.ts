import type { Logger } from 'pino'
import type { Database } from '../db/database.ts'
import type { LiveChange, LiveHub } from './live-hub.ts'

const CHANNEL = 'fleet_live'
/** PostgreSQL's NOTIFY payload limit is 8,000 bytes; kiosk ids are sent in slices well below it. */
const IDS_PER_NOTIFY = 200

interface Envelope {
  from: string
  change: LiveChange
}

/**
 * Fans live dashboard changes out to every fleet-server replica over PostgreSQL LISTEN/NOTIFY: a
 * replica that ingested a kiosk's report (or changed a rollout) tells the others, whose dashboards
 * re-read it. Gathered like local changes (LiveHub), so a burst costs a few notifications per
 * interval. With PGlite (one process) there is nobody to tell and nothing is started.
 */
export async function startLiveFanout(options: {
  db: Database
  live: LiveHub
  replicaId: string
  logger: Logger
}): Promise<{ close(): Promise<void> }> {
  const { db, live, replicaId, logger } = options
  const { listen, notify } = db
  if (listen === undefined || notify === undefined) return { close: async () => undefined }
  const send = (change: LiveChange) => {
    const envelope: Envelope = { from: replicaId, change }
    notify.call(db, CHANNEL, JSON.stringify(envelope)).catch((err: unknown) => {
      logger.warn({ err }, 'live change not relayed to other replicas')
    })
  }
  live.relayTo((change) => {
    if (change.kind !== 'kiosks') return send(change)
    for (let i = 0; i < change.ids.length; i += IDS_PER_NOTIFY)
      send({ kind: 'kiosks', ids: change.ids.slice(i, i + IDS_PER_NOTIFY) })
  })
  const unlisten = await listen.call(db, CHANNEL, (payload) => {
    try {
      const envelope = JSON.parse(payload) as Envelope
      if (envelope.from !== replicaId) live.receive(envelope.change)
    } catch (err) {
      logger.warn({ err }, 'unreadable live change from another replica')
    }
  })
  return { close: unlisten }
}

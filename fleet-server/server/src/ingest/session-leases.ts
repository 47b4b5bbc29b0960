import type { Queryable } from '../db/database.ts'

export interface IngestSession {
  clientId: string
  username: string | undefined
}

/**
 * Leases on the ingest's broker sessions, in the database all replicas share. Each replica holds
 * its own session and renews it; a session nobody renewed for `staleMs` (its replica died, or
 * stopped for good) is adopted by a live replica, which connects with that client id and consumes
 * what the broker queued for it. A replica coming back claims its session again.
 */
export class SessionLeases {
  constructor(
    private readonly db: Queryable,
    private readonly replicaId: string,
  ) {}

  async claim(session: IngestSession): Promise<void> {
    await this.db.query(
      `INSERT INTO ingest_sessions (client_id, username, owner, heartbeat_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (client_id) DO UPDATE SET username = EXCLUDED.username, owner = EXCLUDED.owner, heartbeat_at = now()`,
      [session.clientId, session.username ?? null, this.replicaId],
    )
  }

  /** Renews the sessions this replica holds; returns those it still holds (another may have claimed one back). */
  async renew(clientIds: string[]): Promise<Set<string>> {
    if (clientIds.length === 0) return new Set()
    const rows = await this.db.query<{ client_id: string }>(
      `UPDATE ingest_sessions SET heartbeat_at = now() WHERE owner = $1 AND client_id = ANY($2) RETURNING client_id`,
      [this.replicaId, clientIds],
    )
    return new Set(rows.map((r) => r.client_id))
  }

  /** Takes over the longest-unrenewed session older than `staleMs`, if any. */
  async adopt(staleMs: number): Promise<IngestSession | undefined> {
    const [row] = await this.db.query<{ client_id: string; username: string | null }>(
      `UPDATE ingest_sessions SET owner = $1, heartbeat_at = now()
        WHERE client_id = (
          SELECT client_id FROM ingest_sessions
           WHERE owner <> $1 AND heartbeat_at < now() - make_interval(secs => $2::double precision / 1000)
           ORDER BY heartbeat_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING client_id, username`,
      [this.replicaId, staleMs],
    )
    return row === undefined ? undefined : { clientId: row.client_id, username: row.username ?? undefined }
  }

  /** A replica stopping for good hands its sessions over at once instead of after `staleMs`. */
  async release(clientIds: string[]): Promise<void> {
    if (clientIds.length === 0) return
    await this.db.query(`UPDATE ingest_sessions SET heartbeat_at = 'epoch' WHERE owner = $1 AND client_id = ANY($2)`, [
      this.replicaId,
      clientIds,
    ])
  }
}

import type { Queryable } from '../db/database.ts'

export interface Silence {
  id: number
  kioskId: string | null
  siteId: string | null
  rule: string | null
  reason: string
  createdBy: string
  createdAt: string
  startsAt: string
  expiresAt: string
  endedBy: string | null
  endedAt: string | null
}

export interface NewSilence {
  kioskId?: string | undefined
  siteId?: string | undefined
  rule?: string | undefined
  reason: string
  startsAt?: number | undefined
  expiresAt: number
}

interface SilenceRow {
  id: number
  kiosk_id: string | null
  site_id: string | null
  rule: string | null
  reason: string
  created_by: string
  created_at: unknown
  starts_at: unknown
  expires_at: unknown
  ended_by: string | null
  ended_at: unknown
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString())
const toSilence = (r: SilenceRow): Silence => ({
  id: Number(r.id),
  kioskId: r.kiosk_id,
  siteId: r.site_id,
  rule: r.rule,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: iso(r.created_at) as string,
  startsAt: iso(r.starts_at) as string,
  expiresAt: iso(r.expires_at) as string,
  endedBy: r.ended_by,
  endedAt: iso(r.ended_at),
})

/** Silences (`alert_silences`): by kiosk, site and/or rule, with a reason and an expiry. */
export class SilenceStore {
  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = Date.now,
  ) {}

  async create(s: NewSilence, userId: string): Promise<Silence> {
    const now = this.now()
    const [row] = await this.db.query<SilenceRow>(
      `INSERT INTO alert_silences (kiosk_id, site_id, rule, reason, created_by, created_at, starts_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        s.kioskId ?? null,
        s.siteId ?? null,
        s.rule ?? null,
        s.reason,
        userId,
        new Date(now).toISOString(),
        new Date(s.startsAt ?? now).toISOString(),
        new Date(s.expiresAt).toISOString(),
      ],
    )
    return toSilence(row as SilenceRow)
  }

  /**
   * Silences not ended and not expired (or all, newest first). With a kiosk scope (an SQL condition on
   * `k`, its parameters numbered from $4, as `kioskScope` makes it), only fleet-wide silences and those
   * naming a kiosk, or a site with a kiosk, in that scope.
   */
  async list(filter: {
    active: boolean
    limit: number
    kioskScope?: { sql: string; params: unknown[] }
  }): Promise<Silence[]> {
    const scope = filter.kioskScope
    const inScope =
      scope === undefined || scope.sql === 'true'
        ? ''
        : `AND ((s.kiosk_id IS NULL AND s.site_id IS NULL)
              OR EXISTS (SELECT 1 FROM kiosks k
                         WHERE (k.id = s.kiosk_id OR (s.kiosk_id IS NULL AND k.site_id = s.site_id)) AND (${scope.sql})))`
    const rows = await this.db.query<SilenceRow>(
      `SELECT s.* FROM alert_silences s
       WHERE (NOT $1::boolean OR (s.ended_at IS NULL AND s.expires_at > $2::timestamptz)) ${inScope}
       ORDER BY s.created_at DESC, s.id DESC LIMIT $3`,
      [
        filter.active,
        new Date(this.now()).toISOString(),
        filter.limit,
        ...(inScope === '' ? [] : (scope?.params ?? [])),
      ],
    )
    return rows.map(toSilence)
  }

  async get(id: number): Promise<Silence | undefined> {
    const [row] = await this.db.query<SilenceRow>('SELECT * FROM alert_silences WHERE id = $1', [id])
    return row === undefined ? undefined : toSilence(row)
  }

  /** Ends a silence before its expiry; undefined when there is no such silence still running. */
  async end(id: number, userId: string): Promise<Silence | undefined> {
    const [row] = await this.db.query<SilenceRow>(
      `UPDATE alert_silences SET ended_by = $2, ended_at = $3
       WHERE id = $1 AND ended_at IS NULL AND expires_at > $3::timestamptz RETURNING *`,
      [id, userId, new Date(this.now()).toISOString()],
    )
    return row === undefined ? undefined : toSilence(row)
  }
}

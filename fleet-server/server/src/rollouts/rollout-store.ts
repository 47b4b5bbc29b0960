import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Database, Queryable } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import type { GroupSpec } from './grouping.ts'
import type { KioskRolloutState, RolloutStatus } from './kiosk-states.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'
import type { Rollout, RolloutInput, RolloutKioskRow } from './rollout-types.ts'
import type { TargetFilter } from './selection.ts'

export interface RolloutRow {
  id: string
  name: string
  artifact_id: string
  target_filter: TargetFilter
  groups: GroupSpec[]
  success_threshold: number
  error_threshold: number
  error_min_sample: number
  install_mode: 'window' | 'immediate'
  kiosk_timeout_ms: string | number
  continuous: boolean
  status: RolloutStatus
  status_reason: string | null
  current_group: number
  created_by: string
  created_at: Date | string
  approved_by: string | null
  approved_at: Date | string | null
  started_at: Date | string | null
  finished_at: Date | string | null
  updated_at: Date | string
}

export const isoOrNull = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString())

export function toRollout(r: RolloutRow): Rollout {
  return {
    id: r.id,
    name: r.name,
    artifactId: r.artifact_id,
    filter: r.target_filter,
    groups: r.groups,
    successThreshold: r.success_threshold,
    errorThreshold: r.error_threshold,
    errorMinSample: r.error_min_sample,
    installMode: r.install_mode,
    kioskTimeoutMs: Number(r.kiosk_timeout_ms),
    continuous: r.continuous,
    status: r.status,
    statusReason: r.status_reason,
    currentGroup: r.current_group,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    approvedBy: r.approved_by,
    approvedAt: isoOrNull(r.approved_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    updatedAt: new Date(r.updated_at).toISOString(),
  }
}

/** Advisory lock key of the engine tick: one replica ticks at a time. */
const TICK_LOCK = 746_1008

/**
 * The `rollouts` table: creating, reading (scoped to the caller), status changes. Every method takes
 * the `Queryable` to run on where it may be part of a caller's transaction.
 */
export class RolloutStore {
  constructor(private readonly db: Database) {}

  async row(db: Queryable, id: string, lock = false): Promise<RolloutRow> {
    const [row] = await db.query<RolloutRow>(`SELECT * FROM rollouts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
    if (row === undefined) throw new FleetError(RolloutErrorCodes.notFound, `no rollout ${id}`)
    return row
  }

  async get(db: Queryable, id: string): Promise<Rollout> {
    return toRollout(await this.row(db, id))
  }

  /**
   * Read: admins and auditors see every rollout, others one that touches a kiosk in their scope.
   * Manage: a department user only a rollout whose kiosks are all in its departments.
   */
  async checkScope(db: Queryable, principal: Principal, id: string, mode: 'read' | 'manage'): Promise<void> {
    if (principal.role === 'admin' || (principal.role === 'auditor' && mode === 'read')) return
    const scope = kioskScope(principal, 2)
    const [r] = await db.query<{ inside: number; outside: number }>(
      `SELECT count(*) FILTER (WHERE ${scope.sql})::int AS inside, count(*) FILTER (WHERE NOT (${scope.sql}))::int AS outside
       FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id WHERE rk.rollout_id = $1`,
      [id, ...scope.params],
    )
    const ok = mode === 'read' ? (r?.inside ?? 0) > 0 : (r?.outside ?? 0) === 0 && principal.role === 'department'
    if (ok) return
    if (mode === 'read') throw new FleetError(RolloutErrorCodes.notFound, `no rollout ${id}`)
    throw new FleetError(RolloutErrorCodes.outOfScope, `rollout ${id} targets kiosks outside your scope`)
  }

  /** A new rollout awaiting approval, with its kiosks `pending` in their groups. */
  async insert(
    tx: Queryable,
    rollout: { id: string; input: RolloutInput; filter: TargetFilter; createdBy: string; now: string },
    assigned: { kioskId: string; group: number }[],
  ): Promise<void> {
    const { id, input, filter, createdBy, now } = rollout
    await tx.query(
      `INSERT INTO rollouts (id, name, artifact_id, target_filter, groups, success_threshold, error_threshold,
         error_min_sample, install_mode, kiosk_timeout_ms, continuous, status, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, 'awaitingApproval', $12, $13, $13)`,
      [
        id,
        input.name,
        input.artifactId,
        JSON.stringify(filter),
        JSON.stringify(input.groups),
        input.successThreshold,
        input.errorThreshold,
        input.errorMinSample,
        input.installMode,
        input.kioskTimeoutMs,
        input.continuous ?? false,
        createdBy,
        now,
      ],
    )
    await tx.query(
      `INSERT INTO rollout_kiosks (rollout_id, kiosk_id, group_index, state, updated_at)
       SELECT $1, k, g, 'pending', $4 FROM unnest($2::text[], $3::int[]) AS a(k, g)`,
      [id, assigned.map((a) => a.kioskId), assigned.map((a) => a.group), now],
    )
  }

  async list(principal: Principal, options: { status?: RolloutStatus; limit: number; offset: number }) {
    const scope = kioskScope(principal, 4)
    const rows = await this.db.query<RolloutRow>(
      `SELECT r.* FROM rollouts r
       WHERE ($1::text IS NULL OR r.status = $1)
         AND (${scope.sql === 'true' ? 'true' : `EXISTS (SELECT 1 FROM rollout_kiosks rk JOIN kiosks k ON k.id = rk.kiosk_id WHERE rk.rollout_id = r.id AND ${scope.sql})`})
       ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3`,
      [options.status ?? null, options.limit, options.offset, ...scope.params],
    )
    return rows.map(toRollout)
  }

  /** How many kiosks of the rollout are in each state, by group. */
  async stateCounts(id: string) {
    return this.db.query<{ group_index: number; state: KioskRolloutState; n: number }>(
      `SELECT group_index, state, count(*)::int AS n FROM rollout_kiosks WHERE rollout_id = $1
       GROUP BY group_index, state ORDER BY group_index`,
      [id],
    )
  }

  /** The rollout's kiosks the caller may see, one page. */
  async kiosks(
    principal: Principal,
    id: string,
    options: { group?: number; state?: KioskRolloutState; limit: number; offset: number },
  ): Promise<RolloutKioskRow[]> {
    const scope = kioskScope(principal, 6)
    const rows = await this.db.query<{
      kiosk_id: string
      group_index: number
      state: KioskRolloutState
      progress: number | null
      blocked_by: string[] | null
      error_code: string | null
      attempts: number
      notified_at: Date | null
      reported_at: Date | null
      finished_at: Date | null
      updated_at: Date
    }>(
      `SELECT rk.* FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id
       WHERE rk.rollout_id = $1 AND ($2::int IS NULL OR rk.group_index = $2) AND ($3::text IS NULL OR rk.state = $3)
         AND ${scope.sql}
       ORDER BY rk.group_index, rk.kiosk_id LIMIT $4 OFFSET $5`,
      [id, options.group ?? null, options.state ?? null, options.limit, options.offset, ...scope.params],
    )
    return rows.map((r) => ({
      kioskId: r.kiosk_id,
      group: r.group_index,
      state: r.state,
      progress: r.progress,
      blockedBy: r.blocked_by,
      errorCode: r.error_code,
      attempts: r.attempts,
      notifiedAt: isoOrNull(r.notified_at),
      reportedAt: isoOrNull(r.reported_at),
      finishedAt: isoOrNull(r.finished_at),
      updatedAt: new Date(r.updated_at).toISOString(),
    }))
  }

  async approve(tx: Queryable, id: string, by: string, now: string): Promise<void> {
    await tx.query(
      `UPDATE rollouts SET status = 'approved', approved_by = $2, approved_at = $3, updated_at = $3 WHERE id = $1`,
      [id, by, now],
    )
  }

  /** start/pause/resume/abort: the new status, with its reason, start and finish times. */
  async transition(tx: Queryable, id: string, to: RolloutStatus, reason: string | null, now: string): Promise<void> {
    await tx.query(
      `UPDATE rollouts SET status = $2, status_reason = $3, updated_at = $4,
         started_at = CASE WHEN $2 = 'running' THEN coalesce(started_at, $4::timestamptz) ELSE started_at END,
         finished_at = CASE WHEN $2 = 'aborted' THEN $4::timestamptz ELSE finished_at END
       WHERE id = $1`,
      [id, to, reason, now],
    )
  }

  /** The tick's lock (transaction-scoped); false when another replica is ticking. */
  async tryTickLock(tx: Queryable): Promise<boolean> {
    const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [TICK_LOCK])
    return lock?.ok === true
  }

  /** Running and paused rollouts, and finished ones with kiosks still installing. */
  async tickable(tx: Queryable): Promise<Rollout[]> {
    const rows = await tx.query<RolloutRow>(
      `SELECT * FROM rollouts WHERE status IN ('running', 'paused')
          OR (status IN ('completed', 'halted', 'aborted') AND id IN (SELECT rollout_id FROM rollout_kiosks
               WHERE state IN ('installing', 'rebooting', 'verifying')))
       ORDER BY created_at`,
    )
    return rows.map(toRollout)
  }

  async runningContinuous(tx: Queryable): Promise<Rollout[]> {
    const rows = await tx.query<RolloutRow>(`SELECT * FROM rollouts WHERE status = 'running' AND continuous`)
    return rows.map(toRollout)
  }

  async halt(tx: Queryable, id: string, reason: string, now: string): Promise<void> {
    await tx.query(
      `UPDATE rollouts SET status = 'halted', status_reason = $2, finished_at = $3, updated_at = $3 WHERE id = $1`,
      [id, reason, now],
    )
  }

  async moveToGroup(tx: Queryable, id: string, group: number, now: string): Promise<void> {
    await tx.query('UPDATE rollouts SET current_group = $2, updated_at = $3 WHERE id = $1', [id, group, now])
  }

  async complete(tx: Queryable, id: string, now: string): Promise<void> {
    await tx.query(`UPDATE rollouts SET status = 'completed', finished_at = $2, updated_at = $2 WHERE id = $1`, [
      id,
      now,
    ])
  }
}

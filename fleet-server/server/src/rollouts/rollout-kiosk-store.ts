import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import type { Database, Queryable } from '../db/database.ts'
import {
  ACTIVE_STATES,
  CANCELLABLE_STATES,
  type KioskProgress,
  type KioskRolloutState,
  type StateCounts,
  timeoutStretch,
} from './kiosk-states.ts'
import { renotifyReturning } from './rollout-outcomes.ts'

/** A kiosk's progress in a rollout, keyed `rolloutId\nkioskId`, with the state it had when read. */
export type ProgressByKey = Map<string, KioskProgress & { original: KioskRolloutState }>

/**
 * The `rollout_kiosks` table as the engine, report handling and notifier move kiosks through their
 * states (kiosk-states.ts); each method is one set-based statement.
 */
export class RolloutKioskStore {
  constructor(private readonly db: Database) {}

  /** Kiosk counts of a rollout by group and state, with how many pending kiosks are offline. */
  async counts(tx: Queryable, rolloutId: string) {
    const rows = await tx.query<{ group_index: number; state: KioskRolloutState; n: number; offline: number }>(
      `SELECT rk.group_index, rk.state, count(*)::int AS n,
         count(*) FILTER (WHERE rk.state = 'pending' AND k.state IS DISTINCT FROM 'online')::int AS offline
       FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id
       WHERE rk.rollout_id = $1 GROUP BY rk.group_index, rk.state`,
      [rolloutId],
    )
    const groups = new Map<number, { states: StateCounts; offlinePending: number }>()
    for (const r of rows) {
      const g = groups.get(r.group_index) ?? { states: {}, offlinePending: 0 }
      g.states[r.state] = r.n
      g.offlinePending += r.offline
      groups.set(r.group_index, g)
    }
    return groups
  }

  /** Verifying kiosks that are online and whose latest birth names `appVersion`. */
  async verifyingOnApp(tx: Queryable, rolloutId: string, appVersion: string): Promise<string[]> {
    const rows = await tx.query<{ kiosk_id: string }>(
      `SELECT rk.kiosk_id FROM rollout_kiosks rk JOIN kiosks k ON k.id = rk.kiosk_id
       WHERE rk.rollout_id = $1 AND rk.state = 'verifying' AND k.state = 'online' AND k.app_version = $2`,
      [rolloutId, appVersion],
    )
    return rows.map((r) => r.kiosk_id)
  }

  /** Verifying kiosks with their state and peripherals (firmware and config rollouts check a device). */
  async verifyingWithPeripherals(tx: Queryable, rolloutId: string) {
    return tx.query<{
      kiosk_id: string
      app_version: string | null
      state: string | null
      peripherals:
        | {
            vendor: string | null
            model: string | null
            modelId: string | null
            firmware: string | null
            state: string | null
          }[]
        | string
    }>(
      `SELECT rk.kiosk_id, k.app_version, k.state,
         coalesce((SELECT json_agg(json_build_object('vendor', p.vendor, 'model', p.model, 'modelId', p.model_id,
                                                     'firmware', p.firmware, 'state', p.status->>'state'))
                   FROM peripherals p WHERE p.kiosk_id = rk.kiosk_id), '[]'::json) AS peripherals
       FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id
       WHERE rk.rollout_id = $1 AND rk.state = 'verifying'`,
      [rolloutId],
    )
  }

  async markSucceeded(tx: Queryable, rolloutId: string, kioskIds: string[], now: string): Promise<void> {
    await tx.query(
      `UPDATE rollout_kiosks SET state = 'succeeded', finished_at = $3, updated_at = $3
       WHERE rollout_id = $1 AND kiosk_id = ANY($2::text[]) AND state = 'verifying'`,
      [rolloutId, kioskIds, now],
    )
  }

  /** Offline kiosks notified before `before` that never got past downloading go back to pending. */
  async returnOfflineToPending(tx: Queryable, rolloutId: string, before: string, now: string) {
    return tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks rk SET state = 'pending', progress = NULL, updated_at = $3
       FROM kiosks k
       WHERE rk.rollout_id = $1 AND k.id = rk.kiosk_id AND k.state <> 'online'
         AND rk.state IN ('notified', 'downloading') AND rk.notified_at < $2::timestamptz
       RETURNING rk.kiosk_id`,
      [rolloutId, before, now],
    )
  }

  /** Kiosks silent since `before` in their current stretch become `timedOut` with `code`. */
  async timeOut(tx: Queryable, rolloutId: string, before: string, code: string, now: string) {
    return tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks SET state = 'timedOut', error_code = $3, finished_at = $4, updated_at = $4
       WHERE rollout_id = $1 AND (
         (state IN ('notified', 'downloading') AND notified_at < $2::timestamptz)
         OR (state IN ('installing', 'rebooting', 'verifying') AND reported_at < $2::timestamptz))
       RETURNING kiosk_id`,
      [rolloutId, before, code, now],
    )
  }

  /** Online pending kiosks in groups up to `group` become `notified`; returns them. */
  async notifyDue(tx: Queryable, rolloutId: string, group: number, now: string): Promise<string[]> {
    const rows = await tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks rk SET state = 'notified', attempts = attempts + 1, notified_at = $3, updated_at = $3
       FROM kiosks k
       WHERE rk.rollout_id = $1 AND rk.group_index <= $2 AND rk.state = 'pending' AND k.id = rk.kiosk_id AND k.state = 'online'
       RETURNING rk.kiosk_id`,
      [rolloutId, group, now],
    )
    return rows.map((r) => r.kiosk_id)
  }

  /** Every kiosk not yet installing becomes `cancelled`; returns each with the state it had. */
  async cancelRemaining(tx: Queryable, rolloutId: string, now: string) {
    return tx.query<{ kiosk_id: string; was: KioskRolloutState }>(
      `UPDATE rollout_kiosks rk SET state = 'cancelled', finished_at = $3, updated_at = $3
       FROM rollout_kiosks old
       WHERE rk.rollout_id = $1 AND old.rollout_id = rk.rollout_id AND old.kiosk_id = rk.kiosk_id
         AND rk.state = ANY($2::text[])
       RETURNING rk.kiosk_id, old.state AS was`,
      [rolloutId, CANCELLABLE_STATES, now],
    )
  }

  /**
   * Kiosks still `notified` in running rollouts (they were offline), or timed out before the
   * rollout's deadline, are notified again (rollout-outcomes.ts).
   */
  async renotify(tx: Queryable, kioskIds: string[], now: string) {
    return renotifyReturning(tx, kioskIds, now)
  }

  /** Those of `kioskIds` not yet in the rollout. */
  async notIn(tx: Queryable, rolloutId: string, kioskIds: string[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM unnest($1::text[]) AS x(id)
       WHERE NOT EXISTS (SELECT 1 FROM rollout_kiosks WHERE rollout_id = $2 AND kiosk_id = x.id)`,
      [kioskIds, rolloutId],
    )
    return rows.map((r) => r.id)
  }

  async addPending(tx: Queryable, rolloutId: string, kioskIds: string[], group: number, now: string): Promise<void> {
    await tx.query(
      `INSERT INTO rollout_kiosks (rollout_id, kiosk_id, group_index, state, updated_at)
       SELECT $1, k, $3, 'pending', $4 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
      [rolloutId, kioskIds, group, now],
    )
  }

  /** Deployment reports ingest stored for kiosks still working on a rollout. */
  async storedReports() {
    return this.db.query<{ kiosk_id: string; body: DeploymentStatusPayload }>(
      `SELECT e.kiosk_id, e.body FROM rollout_kiosks rk
       JOIN kiosk_events e ON e.kiosk_id = rk.kiosk_id AND e.type = 'deployment'
         AND e.body->>'deploymentId' = rk.rollout_id
       WHERE rk.state = ANY($1::text[])`,
      [ACTIVE_STATES],
    )
  }

  /** The current progress of each `rolloutId\nkioskId` key that exists. */
  async progress(keys: string[]): Promise<ProgressByKey> {
    const rows = await this.db.query<{
      rollout_id: string
      kiosk_id: string
      state: KioskRolloutState
      progress: number | null
      blocked_by: string[] | null
      error_code: string | null
    }>(
      `SELECT rk.rollout_id, rk.kiosk_id, rk.state, rk.progress, rk.blocked_by, rk.error_code
       FROM rollout_kiosks rk JOIN unnest($1::text[], $2::text[]) AS x(r, k) ON rk.rollout_id = x.r AND rk.kiosk_id = x.k`,
      [keys.map((k) => k.split('\n')[0]), keys.map((k) => k.split('\n')[1])],
    )
    const current: ProgressByKey = new Map()
    for (const r of rows) {
      current.set(`${r.rollout_id}\n${r.kiosk_id}`, {
        state: r.state,
        progress: r.progress,
        blockedBy: r.blocked_by,
        errorCode: r.error_code,
        original: r.state,
      })
    }
    return current
  }

  /** Writes new progress where the kiosk is still in its `original` state; returns the rollouts changed. */
  async saveProgress(changed: ProgressByKey, now: string): Promise<string[]> {
    const entries = [...changed.entries()]
    const updated = await this.db.query<{ rollout_id: string }>(
      `UPDATE rollout_kiosks rk SET state = u.state, progress = u.progress,
         blocked_by = CASE WHEN u.blocked IS NULL THEN NULL ELSE string_to_array(u.blocked, ',') END,
         error_code = u.error_code, updated_at = $9,
         reported_at = CASE WHEN u.new_stretch THEN $9::timestamptz ELSE rk.reported_at END,
         finished_at = CASE WHEN u.state IN ('failed', 'rolledBack') THEN $9::timestamptz ELSE NULL END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::bool[])
         AS u(r, k, state, progress, blocked, error_code, original, new_stretch)
       WHERE rk.rollout_id = u.r AND rk.kiosk_id = u.k AND rk.state = u.original
       RETURNING rk.rollout_id`,
      [
        entries.map(([k]) => k.split('\n')[0]),
        entries.map(([k]) => k.split('\n')[1]),
        entries.map(([, v]) => v.state),
        entries.map(([, v]) => v.progress),
        entries.map(([, v]) => (v.blockedBy === null ? null : v.blockedBy.join(','))),
        entries.map(([, v]) => v.errorCode),
        entries.map(([, v]) => v.original),
        entries.map(([, v]) => timeoutStretch(v.state) !== timeoutStretch(v.original)),
        now,
      ],
    )
    return [...new Set(updated.map((u) => u.rollout_id))]
  }

  /** The kiosk answered `update` with `alreadyInstalled`: straight to verifying. */
  async alreadyInstalled(rolloutId: string, kioskId: string, now: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE rollout_kiosks SET state = 'verifying', reported_at = $3, updated_at = $3
       WHERE rollout_id = $1 AND kiosk_id = $2 AND state IN ('notified', 'downloading', 'downloaded') RETURNING kiosk_id`,
      [rolloutId, kioskId, now],
    )
    return rows.length > 0
  }

  /** The kiosk refused `update`: failed with its error code. */
  async refused(rolloutId: string, kioskId: string, code: string, now: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE rollout_kiosks SET state = 'failed', error_code = $3, finished_at = $4, updated_at = $4
       WHERE rollout_id = $1 AND kiosk_id = $2 AND state = 'notified' RETURNING kiosk_id`,
      [rolloutId, kioskId, code, now],
    )
    return rows.length > 0
  }
}

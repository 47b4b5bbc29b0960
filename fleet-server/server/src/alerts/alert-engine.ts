import type { Logger } from 'pino'
import type { Database, Queryable } from '../db/database.ts'
import { ScheduleStore } from '../rollouts/schedule-store.ts'
import {
  type AlertPolicy,
  type AlertRuleId,
  type Condition,
  conditionsOf,
  type KioskSnapshot,
  type Severity,
  settingsFor,
  silentDeadline,
} from './alert-rules.ts'
import { loadSnapshots } from './snapshot-loader.ts'
import { openedAt, type Suppression, suppressionOf } from './suppression.ts'
import { loadSuppressionData, type SuppressionData } from './suppression-loader.ts'

export interface AlertRecord {
  id: number
  rule: string
  kioskId: string
  deviceId: string
  severity: Severity
  state: 'active' | 'cleared' | 'resolved'
  latched: boolean
  message: string
  department: string | null
  siteId: string | null
  raisedAt: string
  clearedAt: string | null
  resolvedAt: string | null
  acknowledgedBy: string | null
  acknowledgedAt: string | null
  assignedTo: string | null
}

export type KioskSuppression = Suppression & { rule: string; deviceId: string }

export interface AlertEvent {
  kind: 'raised' | 'cleared' | 'resolved' | 'acknowledged'
  alert: AlertRecord
}

/** An evaluation waiting its turn; `ids` undefined: every kiosk. */
interface QueuedEvaluation {
  ids: Set<string> | undefined
  run: Promise<AlertEvent[]>
}

interface AlertRow {
  id: number
  rule: string
  kiosk_id: string
  device_id: string
  severity: Severity
  state: AlertRecord['state']
  latched: boolean
  message: string
  department: string | null
  site_id: string | null
  raised_at: unknown
  clear_since: unknown
  cleared_at: unknown
  resolved_at: unknown
  acknowledged_by: string | null
  acknowledged_at: unknown
  assigned_to: string | null
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString())
export const toAlertRecord = (r: AlertRow): AlertRecord => ({
  id: Number(r.id),
  rule: r.rule,
  kioskId: r.kiosk_id,
  deviceId: r.device_id,
  severity: r.severity,
  state: r.state,
  latched: r.latched,
  message: r.message,
  department: r.department,
  siteId: r.site_id,
  raisedAt: iso(r.raised_at) as string,
  clearedAt: iso(r.cleared_at),
  resolvedAt: iso(r.resolved_at),
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: iso(r.acknowledged_at),
  assignedTo: r.assigned_to,
})

interface PendingRow {
  kiosk_id: string
  rule: string
  device_id: string
  since: unknown
}

function group<R extends { kiosk_id: string }>(rows: R[]): Map<string, R[]> {
  const byKiosk = new Map<string, R[]>()
  for (const row of rows) {
    const list = byKiosk.get(row.kiosk_id)
    if (list === undefined) byKiosk.set(row.kiosk_id, [row])
    else list.push(row)
  }
  return byKiosk
}

const key = (rule: string, kioskId: string, deviceId: string) => `${rule}\u0000${kioskId}\u0000${deviceId}`
const ALERT_LOCK = 746_1004

/** How soon a due evaluation that failed (database unreachable) is tried again. */
const RETRY_AFTER_FAILURE_MS = 5_000

export interface AlertEngineOptions {
  db: Database
  policy: AlertPolicy
  logger: Logger
  now?: () => number
  /** Called after each committed evaluation with what changed (notifications, live dashboard). */
  onEvents?: (events: AlertEvent[]) => void
}

/**
 * Raises and clears alerts with hysteresis (a condition must hold `raiseAfterMs` to raise and be
 * gone `clearAfterMs` to clear), dedups (one open alert per rule, kiosk and device), keeps latched
 * alerts until acknowledged, and wakes itself at the exact instant the next transition is due — so
 * an offline kiosk is reported at its deadline, never a polling interval later.
 */
export class AlertEngine {
  readonly #o: AlertEngineOptions
  readonly #now: () => number
  readonly #due = new Map<string, number>()
  readonly #suppressed = new Map<string, KioskSuppression[]>()
  readonly #schedules: ScheduleStore
  #timer: ReturnType<typeof setTimeout> | undefined
  #running: Promise<unknown> = Promise.resolve()
  /** The evaluation waiting behind the running one: later calls add their kiosks to it (undefined ids: all). */
  #queued: QueuedEvaluation | undefined
  #stopped = false

  constructor(options: AlertEngineOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    this.#schedules = new ScheduleStore(options.db)
  }

  /** Evaluates every kiosk once and keeps itself scheduled from then on. */
  async start(): Promise<void> {
    await this.evaluate()
  }

  stop(): Promise<unknown> {
    this.#stopped = true
    clearTimeout(this.#timer)
    return this.#running
  }

  /**
   * Re-evaluates the given kiosks (all when undefined); evaluations never overlap. Calls made while
   * one runs join the single evaluation queued behind it (ingest asks after every batch: one
   * evaluation per batch queued one after another fell ever further behind a busy fleet). Each
   * caller gets the events of its own kiosks.
   */
  evaluate(kioskIds?: string[]): Promise<AlertEvent[]> {
    let queued = this.#queued
    if (queued === undefined) {
      const entry: QueuedEvaluation = {
        ids: kioskIds === undefined ? undefined : new Set(kioskIds),
        run: Promise.resolve([]),
      }
      entry.run = this.#running.then(() => {
        // Started: later calls queue the next evaluation.
        if (this.#queued === entry) this.#queued = undefined
        return this.#evaluate(entry.ids === undefined ? undefined : [...entry.ids])
      })
      this.#running = entry.run.catch((err: unknown) => this.#o.logger.error({ err }, 'alert evaluation failed'))
      this.#queued = entry
      queued = entry
    } else if (queued.ids !== undefined) {
      if (kioskIds === undefined) queued.ids = undefined
      else for (const id of kioskIds) queued.ids.add(id)
    }
    if (kioskIds === undefined) return queued.run
    const mine = new Set(kioskIds)
    return queued.run.then((events) => events.filter((e) => mine.has(e.alert.kioskId)))
  }

  async #evaluate(kioskIds: string[] | undefined): Promise<AlertEvent[]> {
    if (kioskIds !== undefined && kioskIds.length === 0) return []
    const now = this.#now()
    const events = await this.#o.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ALERT_LOCK])
      const snapshots = await loadSnapshots(tx, kioskIds, now)
      const suppression = await loadSuppressionData(tx, this.#schedules, snapshots, now)
      // Pending conditions and open alerts of all these kiosks in two queries, not two per kiosk.
      const ids = snapshots.map((k) => k.id)
      const pending = group(
        await tx.query<PendingRow>(
          'SELECT kiosk_id, rule, device_id, since FROM alert_conditions WHERE kiosk_id = ANY($1::text[])',
          [ids],
        ),
      )
      const open = group(
        await tx.query<AlertRow>("SELECT * FROM alerts WHERE kiosk_id = ANY($1::text[]) AND state <> 'resolved'", [
          ids,
        ]),
      )
      const out: AlertEvent[] = []
      for (const snapshot of snapshots) {
        out.push(
          ...(await this.#evaluateKiosk(
            tx,
            snapshot,
            now,
            pending.get(snapshot.id) ?? [],
            open.get(snapshot.id) ?? [],
            suppression,
          )),
        )
      }
      return out
    })
    this.#arm()
    if (events.length > 0) {
      for (const e of events)
        this.#o.logger.info(
          { kind: e.kind, rule: e.alert.rule, kioskId: e.alert.kioskId, deviceId: e.alert.deviceId },
          'alert',
        )
      this.#o.onEvents?.(events)
    }
    return events
  }

  async #evaluateKiosk(
    tx: Queryable,
    k: KioskSnapshot,
    now: number,
    pending: PendingRow[],
    open: AlertRow[],
    suppression: SuppressionData,
  ): Promise<AlertEvent[]> {
    // Silenced, maintenance, closure or closed: not raised (no pending hysteresis either) but an
    // alert already open is held as it is, and the engine wakes when the suppression ends.
    const schedule = suppression.scheduleOf(k.siteId)
    const ctx = { now, silences: suppression.silences, schedule }
    const suppressed = new Map<string, Suppression>()
    const conditions = new Map<string, Condition>()
    for (const c of conditionsOf(k, this.#o.policy, now)) {
      const s = suppressionOf(k, c.rule, ctx)
      if (s !== undefined) suppressed.set(key(c.rule, c.kioskId, c.deviceId), s)
      else if (c.rule === 'kioskOffline') {
        // Offline from before opening counts from the opening: a grace of raiseAfterMs after it.
        const opened = openedAt(now, schedule)
        const since = opened === undefined ? c.since : Math.max(c.since ?? now, opened)
        conditions.set(key(c.rule, c.kioskId, c.deviceId), { ...c, ...(since === undefined ? {} : { since }) })
      } else conditions.set(key(c.rule, c.kioskId, c.deviceId), c)
    }
    if (suppressed.size > 0)
      this.#suppressed.set(
        k.id,
        [...suppressed].map(([k2, s]) => ({
          ...s,
          rule: k2.split('\u0000')[0] as string,
          deviceId: k2.split('\u0000')[2] as string,
        })),
      )
    else this.#suppressed.delete(k.id)
    const pendingSince = new Map(
      pending.map((p) => [key(p.rule, k.id, p.device_id), new Date(p.since as string).getTime()]),
    )
    const openByKey = new Map(open.map((a) => [key(a.rule, k.id, a.device_id), a]))
    const events: AlertEvent[] = []
    let nextDue = Number.POSITIVE_INFINITY

    for (const [k2, c] of conditions) {
      const alert = openByKey.get(k2)
      if (alert !== undefined) {
        if (alert.state === 'cleared' || alert.clear_since !== null) {
          const [row] = await tx.query<AlertRow>(
            "UPDATE alerts SET state = 'active', clear_since = NULL, cleared_at = NULL, message = $2 WHERE id = $1 RETURNING *",
            [alert.id, c.message],
          )
          if (alert.state === 'cleared' && row) events.push({ kind: 'raised', alert: toAlertRecord(row) })
        }
        continue
      }
      const since = Math.min(pendingSince.get(k2) ?? now, c.since ?? now)
      if (now - since >= c.settings.raiseAfterMs) {
        const [row] = await tx.query<AlertRow>(
          `INSERT INTO alerts (rule, kiosk_id, device_id, severity, state, latched, message, department, site_id, raised_at)
           VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9) RETURNING *`,
          [
            c.rule,
            k.id,
            c.deviceId,
            c.settings.severity,
            c.settings.latched,
            c.message,
            k.department,
            k.siteId,
            new Date(now).toISOString(),
          ],
        )
        await tx.query('DELETE FROM alert_conditions WHERE rule = $1 AND kiosk_id = $2 AND device_id = $3', [
          c.rule,
          k.id,
          c.deviceId,
        ])
        if (row) events.push({ kind: 'raised', alert: toAlertRecord(row) })
      } else {
        // Written when it starts (or starts earlier): a condition still pending is not written again
        // on every evaluation of its kiosk.
        const pendingAt = pendingSince.get(k2)
        if (pendingAt === undefined || since < pendingAt)
          await tx.query(
            `INSERT INTO alert_conditions (rule, kiosk_id, device_id, since) VALUES ($1, $2, $3, $4)
             ON CONFLICT (rule, kiosk_id, device_id) DO UPDATE SET since = least(alert_conditions.since, excluded.since)`,
            [c.rule, k.id, c.deviceId, new Date(since).toISOString()],
          )
        nextDue = Math.min(nextDue, since + c.settings.raiseAfterMs)
      }
    }

    for (const [k2] of pendingSince) {
      if (conditions.has(k2)) continue
      const [rule, , deviceId] = k2.split('\u0000')
      await tx.query('DELETE FROM alert_conditions WHERE rule = $1 AND kiosk_id = $2 AND device_id = $3', [
        rule,
        k.id,
        deviceId,
      ])
    }

    for (const [k2, alert] of openByKey) {
      if (conditions.has(k2) || suppressed.has(k2) || alert.state === 'cleared') continue
      const deviceClass = k.peripherals.find((p) => p.deviceId === alert.device_id)?.deviceClass
      const clearAfter = settingsFor(this.#o.policy, alert.rule as AlertRuleId, k.machineType, deviceClass).clearAfterMs
      const clearSince = alert.clear_since === null ? now : new Date(alert.clear_since as string).getTime()
      if (now - clearSince >= clearAfter) {
        const resolve = !alert.latched || alert.acknowledged_at !== null
        const [row] = await tx.query<AlertRow>(
          resolve
            ? "UPDATE alerts SET state = 'resolved', clear_since = NULL, cleared_at = $2, resolved_at = $2 WHERE id = $1 RETURNING *"
            : "UPDATE alerts SET state = 'cleared', clear_since = NULL, cleared_at = $2 WHERE id = $1 RETURNING *",
          [alert.id, new Date(now).toISOString()],
        )
        if (row) events.push({ kind: resolve ? 'resolved' : 'cleared', alert: toAlertRecord(row) })
      } else {
        if (alert.clear_since === null) {
          await tx.query('UPDATE alerts SET clear_since = $2 WHERE id = $1', [
            alert.id,
            new Date(clearSince).toISOString(),
          ])
        }
        nextDue = Math.min(nextDue, clearSince + clearAfter)
      }
    }

    // An online kiosk becomes silent at an exact instant: wake up then, not a polling interval later.
    const silent = silentDeadline(k, this.#o.policy)
    if (silent !== undefined && silent > now) nextDue = Math.min(nextDue, silent)
    for (const s of suppressed.values())
      if (s.until !== undefined && s.until > now) nextDue = Math.min(nextDue, s.until)
    if (Number.isFinite(nextDue)) this.#due.set(k.id, nextDue)
    else this.#due.delete(k.id)
    return events
  }

  #arm(): void {
    clearTimeout(this.#timer)
    if (this.#stopped || this.#due.size === 0) return
    const next = Math.min(...this.#due.values())
    const delay = Math.max(0, next - this.#now())
    this.#timer = setTimeout(() => {
      const now = this.#now()
      const dueKiosks = [...this.#due].filter(([, at]) => at <= now).map(([id]) => id)
      // A timer may fire a millisecond early by the wall clock: nothing is due yet, so wait again
      // (evaluating no kiosk would not re-arm, and the offline kiosk would never be reported).
      if (dueKiosks.length === 0) return this.#arm()
      for (const id of dueKiosks) this.#due.delete(id)
      this.evaluate(dueKiosks).catch(() => {
        // Logged by evaluate; the kiosks stay due and are tried again instead of being forgotten.
        const retryAt = this.#now() + RETRY_AFTER_FAILURE_MS
        for (const id of dueKiosks) if (!this.#due.has(id)) this.#due.set(id, retryAt)
        this.#arm()
      })
    }, delay)
    this.#timer.unref()
  }

  /** What is held back for a kiosk at its last evaluation, and why (`closed` at night, not offline). */
  suppressions(kioskId?: string): Record<string, KioskSuppression[]> {
    const out: Record<string, KioskSuppression[]> = {}
    for (const [id, list] of this.#suppressed) if (kioskId === undefined || id === kioskId) out[id] = list
    return out
  }

  /** The instant the engine will next wake up for a kiosk, if any (for tests and diagnostics). */
  dueAt(kioskId: string): number | undefined {
    return this.#due.get(kioskId)
  }

  /** Acknowledges an alert; a latched alert whose condition already cleared is resolved by it. */
  async acknowledge(id: number, userId: string): Promise<AlertEvent | undefined> {
    const now = new Date(this.#now()).toISOString()
    const [row] = await this.#o.db.query<AlertRow>(
      `UPDATE alerts SET acknowledged_by = $2, acknowledged_at = $3,
         state = CASE WHEN state = 'cleared' THEN 'resolved' ELSE state END,
         resolved_at = CASE WHEN state = 'cleared' THEN $3::timestamptz ELSE resolved_at END
       WHERE id = $1 AND state <> 'resolved' RETURNING *`,
      [id, userId, now],
    )
    if (row === undefined) return undefined
    const event: AlertEvent = {
      kind: row.state === 'resolved' ? 'resolved' : 'acknowledged',
      alert: toAlertRecord(row),
    }
    this.#o.onEvents?.([event])
    return event
  }

  async assign(id: number, userId: string | null): Promise<AlertRecord | undefined> {
    const [row] = await this.#o.db.query<AlertRow>(
      "UPDATE alerts SET assigned_to = $2 WHERE id = $1 AND state <> 'resolved' RETURNING *",
      [id, userId],
    )
    return row === undefined ? undefined : toAlertRecord(row)
  }
}

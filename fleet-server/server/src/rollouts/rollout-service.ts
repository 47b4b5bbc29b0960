import { randomBytes } from 'node:crypto'
import type { CommandName, CommandParams, DeploymentStatusPayload, UpdateParams } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { CommandOutcome } from '../commands/command-sender.ts'
import type { Database, Queryable } from '../db/database.ts'
import { assignGroups, type GroupSpec } from './grouping.ts'
import {
  ACTIVE_STATES,
  applyReport,
  CANCELLABLE_STATES,
  groupPassed,
  type KioskProgress,
  type KioskRolloutState,
  type RolloutStatus,
  type StateCounts,
  shouldHalt,
  timeoutStretch,
} from './kiosk-states.ts'
import { RolloutError, RolloutErrorCodes } from './rollout-errors.ts'
import { closeAtDeadline, deadlineOf, everyKioskHasOutcome, renotifyReturning } from './rollout-outcomes.ts'
import { buildSchedule, localDate, type SiteSchedule } from './schedule.ts'
import { ScheduleStore } from './schedule-store.ts'
import {
  type ArtifactInfo,
  type Candidate,
  type DeviceModelInfo,
  type DeviceModelLookup,
  loadCandidates,
  peripheralIsModel,
  resolveModels,
  type SelectionResult,
  scopedFilter,
  selectKiosks,
  type TargetFilter,
} from './selection.ts'

/** What the engine needs of the command sender (CommandSender satisfies it). */
export interface RolloutCommands {
  send<C extends CommandName>(
    kioskId: string,
    command: C,
    params: CommandParams<C>,
    options: { ttlMs: number; timeoutMs: number; record?: boolean },
  ): Promise<CommandOutcome>
}

/** What ingest hands over after a batch is committed (the `WriteResult` of ingest-store.ts has these). */
export interface IngestedReports {
  deployments?: { kioskId: string; payload: DeploymentStatusPayload }[]
  births?: string[]
}

export interface RolloutServiceOptions {
  db: Database
  commands: RolloutCommands
  audit: AuditLog
  logger: Logger
  /** Registry lookup of device models (`@drivers/registry`'s `createRegistry(allDefinitions).byId`). */
  deviceModels: DeviceModelLookup
  now?: () => number
  /** Engine tick interval (default 5 s); reports and births also trigger a tick. */
  tickMs?: number
  /** Expiry of an `update` notification (default 24 h). */
  notifyTtlMs?: number
  /** How long to wait for a kiosk's answer to `update` before leaving it to the kiosk timeout (default 60 s). */
  notifyTimeoutMs?: number
  /** Notifications in flight at once (default 500): thousands of kiosks are notified in parallel. */
  notifyConcurrency?: number
  /**
   * How soon after reports or births a tick follows (default 250 ms): reports arriving together are
   * handled by one tick, and the database is not rescanned for every ingest batch.
   */
  reactDelayMs?: number
  /** Called when a rollout's status or kiosk counts changed (for the dashboard's live updates). */
  onChanged?: (rolloutId: string) => void
}

export interface RolloutInput {
  name: string
  artifactId: string
  filter?: Partial<TargetFilter>
  groups: GroupSpec[]
  successThreshold: number
  errorThreshold: number
  errorMinSample: number
  installMode: 'window' | 'immediate'
  kioskTimeoutMs: number
  continuous?: boolean
}

export interface Rollout {
  id: string
  name: string
  artifactId: string
  filter: TargetFilter
  groups: GroupSpec[]
  successThreshold: number
  errorThreshold: number
  errorMinSample: number
  installMode: 'window' | 'immediate'
  kioskTimeoutMs: number
  /** Kiosks offline or timed out are retried when they return until startedAt + retryForMs. */
  retryForMs: number
  continuous: boolean
  status: RolloutStatus
  statusReason: string | null
  currentGroup: number
  createdBy: string
  createdAt: string
  approvedBy: string | null
  approvedAt: string | null
  startedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

export interface RolloutDetail extends Rollout {
  artifact: { id: string; kind: string; version: string; deviceModel: string | null }
  groupCounts: { group: number; size: number; states: StateCounts }[]
  totals: StateCounts & { total: number }
  excluded: SelectionResult['excluded']
}

export interface RolloutKioskRow {
  kioskId: string
  group: number
  state: KioskRolloutState
  progress: number | null
  blockedBy: string[] | null
  errorCode: string | null
  attempts: number
  notifiedAt: string | null
  reportedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

export type RolloutAction = 'approve' | 'start' | 'pause' | 'resume' | 'abort'

interface RolloutRow {
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
  retry_for_ms: string | number
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

const isoOrNull = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString())

function toRollout(r: RolloutRow): Rollout {
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
    retryForMs: Number(r.retry_for_ms),
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
const DAY_MS = 24 * 3_600_000
export const KIOSK_TIMEOUT_CODE = 'ERR_FLEET_ROLLOUT_KIOSK_TIMEOUT'

const TRANSITIONS: Record<Exclude<RolloutAction, 'approve'>, { from: RolloutStatus[]; to: RolloutStatus }> = {
  start: { from: ['approved'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  abort: { from: ['awaitingApproval', 'approved', 'running', 'paused'], to: 'aborted' },
}

interface Outgoing {
  rolloutId: string
  kioskId: string
  command: 'update' | 'cancel-update'
  params: UpdateParams | { deploymentId: string }
}

/**
 * Staged rollouts (docs/updates.md "Rollouts"): selection, groups, approval and the engine that
 * notifies kiosks, follows their deployment reports and moves from group to group. All state is in
 * the database; a tick guarded by an advisory lock lets several replicas run it.
 */
export class RolloutService {
  readonly #o: RolloutServiceOptions
  readonly #db: Database
  readonly #log: Logger
  readonly #now: () => number
  readonly schedules: ScheduleStore
  #timer: ReturnType<typeof setInterval> | undefined
  #soon: ReturnType<typeof setTimeout> | undefined
  #ticking: Promise<void> | undefined
  #again = false
  #ingesting: Promise<void> = Promise.resolve()
  readonly #inFlight = new Set<Promise<void>>()
  readonly #queue: Outgoing[] = []
  #active = 0
  #stopped = false
  readonly #audits: AuditEntry[] = []

  constructor(options: RolloutServiceOptions) {
    this.#o = options
    this.#db = options.db
    this.#log = options.logger
    this.#now = options.now ?? Date.now
    this.schedules = new ScheduleStore(options.db)
  }

  /**
   * Starts ticking once the reports ingest committed before a stop or crash are applied, so no
   * kiosk is timed out for a report the fleet already holds.
   */
  start(): void {
    this.#stopped = false
    this.#ingesting = this.#ingesting
      .then(() => this.#replayStoredReports())
      .catch((err: unknown) => this.#log.warn({ err }, 'stored deployment reports not replayed'))
      .then(() => {
        if (this.#stopped) return
        this.#timer = setInterval(() => this.#kick(), this.#o.tickMs ?? 5000)
        this.#timer.unref()
        this.#kick()
      })
  }

  /** Stops ticking and waits for the tick, report processing and notifications in flight. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    clearTimeout(this.#soon)
    this.#queue.length = 0
    await this.#ticking
    await this.#ingesting
    await this.idle()
  }

  /** Resolves when no notification is queued or waiting for its answer (benchmarks, tests). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#queue.length > 0) await Promise.all([...this.#inFlight])
  }

  // ---------------------------------------------------------------- selection and lifecycle

  async #artifact(db: Queryable, id: string): Promise<ArtifactInfo> {
    const [a] = await db.query<{
      id: string
      kind: ArtifactInfo['kind']
      version: string
      vendor: string | null
      device_model: string | null
      target_path: string
      status: string
      compatibility: ArtifactInfo['compatibility']
      approved: string[] | null
    }>(
      `SELECT a.*, (SELECT array_agg(department) FROM artifact_approvals WHERE artifact_id = a.id) AS approved
       FROM artifacts a WHERE a.id = $1`,
      [id],
    )
    if (a === undefined) throw new RolloutError(RolloutErrorCodes.artifactNotFound, `no artifact ${id}`)
    return {
      id: a.id,
      kind: a.kind,
      version: a.version,
      vendor: a.vendor,
      deviceModel: a.device_model,
      targetPath: a.target_path,
      status: a.status,
      compatibility: a.compatibility ?? {},
      approvedDepartments: a.approved ?? [],
    }
  }

  async #select(
    db: Queryable,
    filter: TargetFilter,
    artifact: ArtifactInfo,
    kioskIds?: readonly string[],
  ): Promise<SelectionResult> {
    const models = resolveModels(filter, artifact, this.#o.deviceModels)
    return selectKiosks(await loadCandidates(db, kioskIds), filter, artifact, models)
  }

  /** The numbers `create` would produce, without creating anything. */
  async preview(
    principal: Principal,
    input: Pick<RolloutInput, 'artifactId' | 'filter' | 'groups'>,
  ): Promise<{ selected: number; matched: number; excluded: SelectionResult['excluded']; groups: number[] }> {
    const filter = scopedFilter(principal, fullFilter(input.filter))
    const artifact = await this.#artifact(this.#db, input.artifactId)
    const selection = await this.#select(this.#db, filter, artifact)
    const groups = new Array(input.groups.length).fill(0) as number[]
    for (const a of assignGroups('preview', selection.selected, input.groups))
      groups[a.group] = (groups[a.group] ?? 0) + 1
    return { selected: selection.selected.length, matched: selection.matched, excluded: selection.excluded, groups }
  }

  async create(principal: Principal, input: RolloutInput, ip?: string): Promise<RolloutDetail> {
    validateGroups(input.groups)
    const filter = scopedFilter(principal, fullFilter(input.filter))
    const id = `ro_${randomBytes(9).toString('base64url')}`
    await this.#db.transaction(async (tx) => {
      const artifact = await this.#artifact(tx, input.artifactId)
      if (artifact.status !== 'ready') {
        throw new RolloutError(
          RolloutErrorCodes.artifactNotReady,
          `artifact ${artifact.id} is ${artifact.status}, not ready (signed into the update repository)`,
        )
      }
      const selection = await this.#select(tx, filter, artifact)
      const assigned = assignGroups(id, selection.selected, input.groups)
      if (assigned.length === 0) {
        throw new RolloutError(
          RolloutErrorCodes.emptySelection,
          `no kiosk selected (matched ${selection.matched}, incompatible ${selection.excluded.incompatible}, not approved ${selection.excluded.notApproved})`,
        )
      }
      const now = new Date(this.#now()).toISOString()
      await tx.query(
        `INSERT INTO rollouts (id, name, artifact_id, target_filter, groups, success_threshold, error_threshold,
           error_min_sample, install_mode, kiosk_timeout_ms, continuous, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, 'awaitingApproval', $12, $13, $13)`,
        [
          id,
          input.name,
          artifact.id,
          JSON.stringify(filter),
          JSON.stringify(input.groups),
          input.successThreshold,
          input.errorThreshold,
          input.errorMinSample,
          input.installMode,
          input.kioskTimeoutMs,
          input.continuous ?? false,
          principal.userId,
          now,
        ],
      )
      await tx.query(
        `INSERT INTO rollout_kiosks (rollout_id, kiosk_id, group_index, state, updated_at)
         SELECT $1, k, g, 'pending', $4 FROM unnest($2::text[], $3::int[]) AS a(k, g)`,
        [id, assigned.map((a) => a.kioskId), assigned.map((a) => a.group), now],
      )
    })
    await this.#o.audit.append({
      actor: principal.userId,
      role: principal.role,
      ip,
      action: 'rollout.create',
      target: id,
      outcome: 'ok',
      details: { artifactId: input.artifactId, name: input.name },
    })
    this.#changed(id)
    return this.detail(principal, id)
  }

  async list(principal: Principal, options: { status?: RolloutStatus; limit: number; offset: number }) {
    const scope = kioskScope(principal, 4)
    const rows = await this.#db.query<RolloutRow>(
      `SELECT r.* FROM rollouts r
       WHERE ($1::text IS NULL OR r.status = $1)
         AND (${scope.sql === 'true' ? 'true' : `EXISTS (SELECT 1 FROM rollout_kiosks rk JOIN kiosks k ON k.id = rk.kiosk_id WHERE rk.rollout_id = r.id AND ${scope.sql})`})
       ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3`,
      [options.status ?? null, options.limit, options.offset, ...scope.params],
    )
    return rows.map(toRollout)
  }

  async #row(db: Queryable, id: string, lock = false): Promise<RolloutRow> {
    const [row] = await db.query<RolloutRow>(`SELECT * FROM rollouts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
    if (row === undefined) throw new RolloutError(RolloutErrorCodes.notFound, `no rollout ${id}`)
    return row
  }

  /**
   * Read: admins and auditors see every rollout, others one that touches a kiosk in their scope.
   * Manage: a department user only a rollout whose kiosks are all in its departments.
   */
  async #checkScope(db: Queryable, principal: Principal, id: string, mode: 'read' | 'manage'): Promise<void> {
    if (principal.role === 'admin' || (principal.role === 'auditor' && mode === 'read')) return
    const scope = kioskScope(principal, 2)
    const [r] = await db.query<{ inside: number; outside: number }>(
      `SELECT count(*) FILTER (WHERE ${scope.sql})::int AS inside, count(*) FILTER (WHERE NOT (${scope.sql}))::int AS outside
       FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id WHERE rk.rollout_id = $1`,
      [id, ...scope.params],
    )
    const ok = mode === 'read' ? (r?.inside ?? 0) > 0 : (r?.outside ?? 0) === 0 && principal.role === 'department'
    if (ok) return
    if (mode === 'read') throw new RolloutError(RolloutErrorCodes.notFound, `no rollout ${id}`)
    throw new RolloutError(RolloutErrorCodes.outOfScope, `rollout ${id} targets kiosks outside your scope`)
  }

  async detail(principal: Principal, id: string): Promise<RolloutDetail> {
    const row = await this.#row(this.#db, id)
    await this.#checkScope(this.#db, principal, id, 'read')
    const rollout = toRollout(row)
    const artifact = await this.#artifact(this.#db, rollout.artifactId)
    const counts = await this.#db.query<{ group_index: number; state: KioskRolloutState; n: number }>(
      `SELECT group_index, state, count(*)::int AS n FROM rollout_kiosks WHERE rollout_id = $1
       GROUP BY group_index, state ORDER BY group_index`,
      [id],
    )
    const groupCounts = rollout.groups.map((_, group) => ({ group, size: 0, states: {} as StateCounts }))
    const totals: StateCounts & { total: number } = { total: 0 }
    for (const c of counts) {
      const g = groupCounts[c.group_index]
      if (g !== undefined) {
        g.size += c.n
        g.states[c.state] = (g.states[c.state] ?? 0) + c.n
      }
      totals[c.state] = (totals[c.state] ?? 0) + c.n
      totals.total += c.n
    }
    // Excluded kiosks as of now (the fleet changes; the rollout's own kiosks are fixed at creation).
    let excluded: SelectionResult['excluded'] = { incompatible: 0, notApproved: 0 }
    try {
      excluded = (await this.#select(this.#db, rollout.filter, artifact)).excluded
    } catch (err) {
      this.#log.warn({ err, rolloutId: id }, 'excluded counts unavailable')
    }
    return {
      ...rollout,
      artifact: { id: artifact.id, kind: artifact.kind, version: artifact.version, deviceModel: artifact.deviceModel },
      groupCounts,
      totals,
      excluded,
    }
  }

  async kiosks(
    principal: Principal,
    id: string,
    options: { group?: number; state?: KioskRolloutState; limit: number; offset: number },
  ): Promise<RolloutKioskRow[]> {
    await this.#row(this.#db, id)
    await this.#checkScope(this.#db, principal, id, 'read')
    const scope = kioskScope(principal, 6)
    const rows = await this.#db.query<{
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

  /** approve, start, pause, resume or abort; each checked, audited, and refused from a wrong status. */
  async act(
    principal: Principal,
    id: string,
    action: RolloutAction,
    { reason, ip }: { reason?: string | undefined; ip?: string | undefined } = {},
  ): Promise<RolloutDetail> {
    const audit = (outcome: 'ok' | 'denied', details: Record<string, unknown> = {}) =>
      this.#o.audit.append({
        actor: principal.userId,
        role: principal.role,
        ip,
        action: `rollout.${action}`,
        target: id,
        outcome,
        details: { ...details, ...(reason === undefined ? {} : { reason }) },
      })
    let cancels: Outgoing[] = []
    try {
      cancels = await this.#db.transaction(async (tx) => {
        const row = await this.#row(tx, id, true)
        await this.#checkScope(tx, principal, id, 'manage')
        const now = new Date(this.#now()).toISOString()
        if (action === 'approve') {
          if (row.status !== 'awaitingApproval') throw badTransition(id, row.status, action)
          if (row.created_by === principal.userId) {
            throw new RolloutError(
              RolloutErrorCodes.selfApproval,
              'a rollout is approved by someone other than its creator',
            )
          }
          await tx.query(
            `UPDATE rollouts SET status = 'approved', approved_by = $2, approved_at = $3, updated_at = $3 WHERE id = $1`,
            [id, principal.userId, now],
          )
          return []
        }
        const t = TRANSITIONS[action]
        if (!t.from.includes(row.status)) throw badTransition(id, row.status, action)
        await tx.query(
          `UPDATE rollouts SET status = $2, status_reason = $3, updated_at = $4,
             started_at = CASE WHEN $2 = 'running' THEN coalesce(started_at, $4::timestamptz) ELSE started_at END,
             finished_at = CASE WHEN $2 = 'aborted' THEN $4::timestamptz ELSE finished_at END
           WHERE id = $1`,
          [id, t.to, reason ?? null, now],
        )
        return t.to === 'aborted' ? this.#cancelRemaining(tx, id, now) : []
      })
    } catch (err) {
      if (err instanceof RolloutError && (err.code === 'ERR_FLEET_ROLLOUT_SELF_APPROVAL' || err.statusCode === 403)) {
        await audit('denied', { code: err.code })
      }
      throw err
    }
    await audit('ok')
    this.#dispatch(cancels)
    this.#changed(id)
    if (action === 'start' || action === 'resume') this.#kick()
    return this.detail(principal, id)
  }

  // ---------------------------------------------------------------- the engine

  /** Ingest's hand-over: deployment reports and births, once their batch is committed. */
  onIngested(result: IngestedReports): void {
    // Stopped: the reports are committed in kiosk_events and replayed at the next start.
    if (this.#stopped) return
    const deployments = result.deployments ?? []
    const births = result.births ?? []
    if (deployments.length === 0 && births.length === 0) return
    this.#ingesting = this.#ingesting
      .then(() => this.#ingest(deployments, births))
      .catch((err: unknown) => this.#log.warn({ err }, 'deployment reports not applied'))
  }

  /** Resolves when every hand-over so far is applied (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.#ingesting
  }

  async #ingest(deployments: NonNullable<IngestedReports['deployments']>, births: string[]): Promise<void> {
    const touched = new Set<string>()
    if (deployments.length > 0) for (const id of await this.applyReports(deployments)) touched.add(id)
    if (births.length > 0) {
      const outgoing = await this.#db.transaction((tx) => this.#onBirths(tx, births, touched))
      this.#dispatch(outgoing)
    }
    for (const id of touched) this.#changed(id)
    this.#kick(true)
  }

  /**
   * Ingest commits a report (in `kiosk_events`) before handing it over; a stop or crash in between
   * would leave the kiosk behind its own word. On start, the stored reports of every kiosk still
   * working on a rollout are applied again: reports only move a kiosk forward, so those applied
   * before change nothing. Kiosks the server set `timedOut` or `cancelled` are left out, since an
   * old report would wrongly revive them.
   */
  async #replayStoredReports(): Promise<void> {
    const stored = await this.#db.query<{ kiosk_id: string; body: DeploymentStatusPayload }>(
      `SELECT e.kiosk_id, e.body FROM rollout_kiosks rk
       JOIN kiosk_events e ON e.kiosk_id = rk.kiosk_id AND e.type = 'deployment'
         AND e.body->>'deploymentId' = rk.rollout_id
       WHERE rk.state = ANY($1::text[])`,
      [ACTIVE_STATES],
    )
    if (stored.length === 0) return
    const changed = await this.applyReports(stored.map((r) => ({ kioskId: r.kiosk_id, payload: r.body })))
    if (changed.length > 0) this.#log.info({ rollouts: changed }, 'applied deployment reports stored before a restart')
    for (const id of changed) this.#changed(id)
  }

  /**
   * Applies deployment reports to `rollout_kiosks` (set-based; idempotent: duplicates and late
   * reports change nothing). Returns the rollouts that changed.
   */
  async applyReports(reports: { kioskId: string; payload: DeploymentStatusPayload }[]): Promise<string[]> {
    const sorted = [...reports].sort((a, b) => a.payload.ts - b.payload.ts || a.payload.seq - b.payload.seq)
    const keys = [...new Set(sorted.map((r) => `${r.payload.deploymentId}\n${r.kioskId}`))]
    const rows = await this.#db.query<{
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
    const current = new Map<string, KioskProgress & { original: KioskRolloutState }>()
    for (const r of rows) {
      current.set(`${r.rollout_id}\n${r.kiosk_id}`, {
        state: r.state,
        progress: r.progress,
        blockedBy: r.blocked_by,
        errorCode: r.error_code,
        original: r.state,
      })
    }
    const changed = new Map<string, KioskProgress & { original: KioskRolloutState }>()
    for (const { kioskId, payload } of sorted) {
      const key = `${payload.deploymentId}\n${kioskId}`
      const cur = current.get(key)
      if (cur === undefined) {
        this.#log.debug({ kioskId, deploymentId: payload.deploymentId }, 'report for no rollout of this kiosk')
        continue
      }
      const next = applyReport(cur, payload)
      if (next === undefined) continue
      const merged = { ...next, original: cur.original }
      current.set(key, merged)
      changed.set(key, merged)
    }
    if (changed.size === 0) return []
    const entries = [...changed.entries()]
    const now = new Date(this.#now()).toISOString()
    const updated = await this.#db.query<{ rollout_id: string }>(
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

  /**
   * A birth: re-notify a kiosk still `notified` (it was offline) or timed out before the rollout's
   * deadline (rollout-outcomes.ts), and let continuous rollouts take new kiosks.
   */
  async #onBirths(tx: Queryable, kioskIds: string[], touched: Set<string>): Promise<Outgoing[]> {
    const now = new Date(this.#now()).toISOString()
    const renotify = await renotifyReturning(tx, kioskIds, now)
    const outgoing: Outgoing[] = []
    const byRollout = new Map<string, string[]>()
    for (const r of renotify) byRollout.set(r.rollout_id, [...(byRollout.get(r.rollout_id) ?? []), r.kiosk_id])
    for (const [rolloutId, ids] of byRollout) {
      touched.add(rolloutId)
      outgoing.push(...(await this.#notifications(tx, toRollout(await this.#row(tx, rolloutId)), ids)))
    }
    const continuous = await tx.query<RolloutRow>(`SELECT * FROM rollouts WHERE status = 'running' AND continuous`)
    for (const row of continuous) {
      const rollout = toRollout(row)
      const fresh = await tx.query<{ id: string }>(
        `SELECT id FROM unnest($1::text[]) AS x(id)
         WHERE NOT EXISTS (SELECT 1 FROM rollout_kiosks WHERE rollout_id = $2 AND kiosk_id = x.id)`,
        [kioskIds, rollout.id],
      )
      if (fresh.length === 0) continue
      const artifact = await this.#artifact(tx, rollout.artifactId)
      const selection = await this.#select(
        tx,
        rollout.filter,
        artifact,
        fresh.map((f) => f.id),
      )
      if (selection.selected.length === 0) continue
      await tx.query(
        `INSERT INTO rollout_kiosks (rollout_id, kiosk_id, group_index, state, updated_at)
         SELECT $1, k, $3, 'pending', $4 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
        [rollout.id, selection.selected, rollout.currentGroup, now],
      )
      this.#log.info({ rolloutId: rollout.id, kiosks: selection.selected }, 'new kiosks joined a continuous rollout')
      touched.add(rollout.id)
    }
    return outgoing
  }

  #kick(soon = false): void {
    if (this.#stopped) return
    if (soon) {
      this.#soon ??= setTimeout(() => {
        this.#soon = undefined
        this.#kick()
      }, this.#o.reactDelayMs ?? 250)
      return
    }
    void this.tick().catch((err: unknown) => this.#log.warn({ err }, 'rollout tick failed'))
  }

  /** One pass over running (and paused) rollouts; concurrent calls coalesce into one more pass. */
  tick(): Promise<void> {
    if (this.#ticking !== undefined) {
      this.#again = true
      return this.#ticking
    }
    const run = async () => {
      try {
        do {
          this.#again = false
          await this.#tickOnce()
        } while (this.#again && !this.#stopped)
      } finally {
        this.#ticking = undefined
      }
    }
    this.#ticking = run()
    return this.#ticking
  }

  async #tickOnce(): Promise<void> {
    const touched = new Set<string>()
    this.#audits.length = 0
    const outgoing = await this.#db.transaction(async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [TICK_LOCK])
      if (lock?.ok !== true) return []
      const rows = await tx.query<RolloutRow>(
        `SELECT * FROM rollouts WHERE status IN ('running', 'paused')
            OR (status IN ('completed', 'halted', 'aborted') AND id IN (SELECT rollout_id FROM rollout_kiosks
                 WHERE state IN ('installing', 'rebooting', 'verifying')))
         ORDER BY created_at`,
      )
      const out: Outgoing[] = []
      for (const row of rows) out.push(...(await this.#advance(tx, toRollout(row), touched)))
      return out
    })
    for (const entry of this.#audits.splice(0)) await this.#o.audit.append(entry)
    this.#dispatch(outgoing)
    for (const id of touched) this.#changed(id)
  }

  async #advance(tx: Queryable, rollout: Rollout, touched: Set<string>): Promise<Outgoing[]> {
    const now = this.#now()
    const nowIso = new Date(now).toISOString()
    const artifact = await this.#artifact(tx, rollout.artifactId)
    // Kiosks that reported success and are now seen healthy on the new version.
    const healthy = await this.#healthyVerifying(tx, rollout, artifact)
    if (healthy.length > 0) {
      await tx.query(
        `UPDATE rollout_kiosks SET state = 'succeeded', finished_at = $3, updated_at = $3
         WHERE rollout_id = $1 AND kiosk_id = ANY($2::text[]) AND state = 'verifying'`,
        [rollout.id, healthy, nowIso],
      )
      touched.add(rollout.id)
    }
    // A kiosk that went offline before it downloaded is not failing: it goes back to pending and is
    // notified again at its next birth. Offline during the install stretch (a reboot it never came back
    // from) is a timeout like any other.
    const gone = await tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks rk SET state = 'pending', progress = NULL, updated_at = $3
       FROM kiosks k
       WHERE rk.rollout_id = $1 AND k.id = rk.kiosk_id AND k.state <> 'online'
         AND rk.state IN ('notified', 'downloading') AND rk.notified_at < $2::timestamptz
       RETURNING rk.kiosk_id`,
      [rollout.id, new Date(now - rollout.kioskTimeoutMs).toISOString(), nowIso],
    )
    if (gone.length > 0) touched.add(rollout.id)
    const timedOut = await tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks SET state = 'timedOut', error_code = $3, finished_at = $4, updated_at = $4
       WHERE rollout_id = $1 AND (
         (state IN ('notified', 'downloading') AND notified_at < $2::timestamptz)
         OR (state IN ('installing', 'rebooting', 'verifying') AND reported_at < $2::timestamptz))
       RETURNING kiosk_id`,
      [rollout.id, new Date(now - rollout.kioskTimeoutMs).toISOString(), KIOSK_TIMEOUT_CODE, nowIso],
    )
    if (timedOut.length > 0) {
      touched.add(rollout.id)
      this.#log.warn({ rolloutId: rollout.id, kiosks: timedOut.map((t) => t.kiosk_id) }, 'kiosks timed out')
    }
    if (rollout.status !== 'running' && rollout.status !== 'paused') return []

    const counts = await this.#counts(tx, rollout.id)
    const total: StateCounts = {}
    for (const g of counts.values())
      for (const [s, n] of Object.entries(g.states))
        total[s as KioskRolloutState] = (total[s as KioskRolloutState] ?? 0) + (n ?? 0)
    const halt = shouldHalt(total, rollout.errorThreshold, rollout.errorMinSample)
    // A revoked artifact stops every rollout of it at once (hawkBit's "invalidate"): nothing more
    // begins installing; kiosks already installing finish and are still counted.
    const revoked = artifact.status === 'revoked'
    if (halt.halt || revoked) {
      const reason = revoked
        ? `artifact ${artifact.id} was revoked`
        : `${halt.failed} of ${halt.finished} finished kiosks failed (threshold ${rollout.errorThreshold})`
      await tx.query(
        `UPDATE rollouts SET status = 'halted', status_reason = $2, finished_at = $3, updated_at = $3 WHERE id = $1`,
        [rollout.id, reason, nowIso],
      )
      this.#log.warn({ rolloutId: rollout.id, reason }, 'rollout halted')
      // Audited after the tick's transaction commits (the audit log takes its own transaction).
      this.#audits.push({
        actor: 'rollout-engine',
        action: 'rollout.halt',
        target: rollout.id,
        outcome: 'ok',
        details: { failed: halt.failed, finished: halt.finished, reason },
      })
      touched.add(rollout.id)
      return this.#cancelRemaining(tx, rollout.id, nowIso)
    }
    if (rollout.status === 'paused') return []

    let group = rollout.currentGroup
    const last = rollout.groups.length - 1
    const passed = (g: number) => {
      const c = counts.get(g)
      return c === undefined || groupPassed(c.states, c.offlinePending, rollout.successThreshold)
    }
    while (group < last && passed(group)) group += 1
    if (group !== rollout.currentGroup) {
      await tx.query('UPDATE rollouts SET current_group = $2, updated_at = $3 WHERE id = $1', [
        rollout.id,
        group,
        nowIso,
      ])
      this.#log.info({ rolloutId: rollout.id, group }, 'rollout moved to the next group')
      touched.add(rollout.id)
    }
    // COMPLETED only when every targeted kiosk has an outcome; kiosks offline or timed out are retried
    // when they return until the deadline, which gives the ones still pending theirs.
    const deadline = deadlineOf(rollout)
    const deadlinePassed = !rollout.continuous && deadline !== undefined && now >= deadline
    if (deadlinePassed && (total.pending ?? 0) > 0) {
      total.timedOut = (total.timedOut ?? 0) + (await closeAtDeadline(tx, rollout.id, nowIso))
      total.pending = 0
      touched.add(rollout.id)
    }
    const done = everyKioskHasOutcome(total, deadlinePassed)
    if (!rollout.continuous && done && ((group === last && passed(last)) || deadlinePassed)) {
      const reason = group === last && passed(last) ? null : 'deadline passed before every group succeeded'
      await tx.query(
        `UPDATE rollouts SET status = 'completed', status_reason = $3, finished_at = $2, updated_at = $2 WHERE id = $1`,
        [rollout.id, nowIso, reason],
      )
      this.#log.info({ rolloutId: rollout.id, reason }, 'rollout completed')
      touched.add(rollout.id)
      return []
    }
    // Notify the online kiosks still pending in the groups started so far.
    const due = await tx.query<{ kiosk_id: string }>(
      `UPDATE rollout_kiosks rk SET state = 'notified', attempts = attempts + 1, notified_at = $3, updated_at = $3
       FROM kiosks k
       WHERE rk.rollout_id = $1 AND rk.group_index <= $2 AND rk.state = 'pending' AND k.id = rk.kiosk_id AND k.state = 'online'
       RETURNING rk.kiosk_id`,
      [rollout.id, group, nowIso],
    )
    if (due.length === 0) return []
    touched.add(rollout.id)
    return this.#notifications(
      tx,
      rollout,
      due.map((d) => d.kiosk_id),
      artifact,
    )
  }

  async #counts(tx: Queryable, rolloutId: string) {
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

  async #healthyVerifying(tx: Queryable, rollout: Rollout, artifact: ArtifactInfo): Promise<string[]> {
    if (artifact.kind === 'app') {
      // App: the kiosk's latest birth names the new version and it is online.
      const rows = await tx.query<{ kiosk_id: string }>(
        `SELECT rk.kiosk_id FROM rollout_kiosks rk JOIN kiosks k ON k.id = rk.kiosk_id
         WHERE rk.rollout_id = $1 AND rk.state = 'verifying' AND k.state = 'online' AND k.app_version = $2`,
        [rollout.id, artifact.version],
      )
      return rows.map((r) => r.kiosk_id)
    }
    const rows = await tx.query<{
      kiosk_id: string
      app_version: string | null
      state: string | null
      peripherals:
        | { vendor: string | null; model: string | null; firmware: string | null; state: string | null }[]
        | string
    }>(
      `SELECT rk.kiosk_id, k.app_version, k.state,
         coalesce((SELECT json_agg(json_build_object('vendor', p.vendor, 'model', p.model, 'firmware', p.firmware,
                                                     'state', p.status->>'state'))
                   FROM peripherals p WHERE p.kiosk_id = rk.kiosk_id), '[]'::json) AS peripherals
       FROM rollout_kiosks rk LEFT JOIN kiosks k ON k.id = rk.kiosk_id
       WHERE rk.rollout_id = $1 AND rk.state = 'verifying'`,
      [rollout.id],
    )
    if (rows.length === 0) return []
    const model: DeviceModelInfo | undefined =
      artifact.deviceModel === null ? undefined : this.#o.deviceModels(artifact.deviceModel)
    return rows
      .filter((r) => {
        if (r.state !== 'online' || model === undefined) return false
        const peripherals = typeof r.peripherals === 'string' ? JSON.parse(r.peripherals) : r.peripherals
        const devices = (peripherals as Candidate['peripherals']).filter((p) => peripheralIsModel(p, model))
        return devices.some(
          (p) => p.state === 'online' && (artifact.kind === 'config' || p.firmware === artifact.version),
        )
      })
      .map((r) => r.kiosk_id)
  }

  /** Marks every kiosk not yet installing `cancelled`; those already notified get `cancel-update`. */
  async #cancelRemaining(tx: Queryable, rolloutId: string, nowIso: string): Promise<Outgoing[]> {
    const cancelled = await tx.query<{ kiosk_id: string; was: KioskRolloutState }>(
      `UPDATE rollout_kiosks rk SET state = 'cancelled', finished_at = $3, updated_at = $3
       FROM rollout_kiosks old
       WHERE rk.rollout_id = $1 AND old.rollout_id = rk.rollout_id AND old.kiosk_id = rk.kiosk_id
         AND rk.state = ANY($2::text[])
       RETURNING rk.kiosk_id, old.state AS was`,
      [rolloutId, CANCELLABLE_STATES, nowIso],
    )
    return cancelled
      .filter((c) => c.was !== 'pending')
      .map((c) => ({
        rolloutId,
        kioskId: c.kiosk_id,
        command: 'cancel-update' as const,
        params: { deploymentId: rolloutId },
      }))
  }

  async #notifications(
    tx: Queryable,
    rollout: Rollout,
    kioskIds: string[],
    artifactInfo?: ArtifactInfo,
  ): Promise<Outgoing[]> {
    const artifact = artifactInfo ?? (await this.#artifact(tx, rollout.artifactId))
    const base = {
      deploymentId: rollout.id,
      kind: artifact.kind,
      target: artifact.targetPath,
      version: artifact.version,
      ...(artifact.kind !== 'app' && artifact.vendor !== null && artifact.deviceModel !== null
        ? { device: { vendor: artifact.vendor, model: artifact.deviceModel } }
        : {}),
    }
    if (rollout.installMode === 'immediate') {
      return kioskIds.map((kioskId) => ({
        rolloutId: rollout.id,
        kioskId,
        command: 'update' as const,
        params: { ...base, install: { mode: 'immediate' as const } },
      }))
    }
    const sites = await tx.query<{ id: string; site_id: string | null }>(
      'SELECT id, site_id FROM kiosks WHERE id = ANY($1::text[])',
      [kioskIds],
    )
    const siteOf = new Map(sites.map((s) => [s.id, s.site_id]))
    const siteIds = [...new Set(sites.flatMap((s) => (s.site_id === null ? [] : [s.site_id])))]
    const today = localDate(this.#now())
    const { calendar, sites: own } = await this.schedules.forNotification(tx, siteIds, today)
    const cache = new Map<string, ReturnType<typeof buildSchedule>>()
    const scheduleOf = (siteId: string | null | undefined) => {
      const key = siteId ?? ''
      let s = cache.get(key)
      if (s === undefined) {
        s = buildSchedule(siteId == null ? undefined : (own.get(siteId) as SiteSchedule | undefined), calendar, today)
        cache.set(key, s)
      }
      return s
    }
    return kioskIds.map((kioskId) => ({
      rolloutId: rollout.id,
      kioskId,
      command: 'update' as const,
      params: { ...base, install: { mode: 'window' as const, schedule: scheduleOf(siteOf.get(kioskId)) } },
    }))
  }

  /** Sends notifications in parallel (at most `notifyConcurrency` in flight); the tick never waits for them. */
  #dispatch(outgoing: Outgoing[]): void {
    if (outgoing.length === 0 || this.#stopped) return
    this.#queue.push(...outgoing)
    this.#pump()
  }

  #pump(): void {
    const limit = this.#o.notifyConcurrency ?? 500
    while (this.#active < limit && this.#queue.length > 0) {
      const next = this.#queue.shift() as Outgoing
      this.#active += 1
      const p = this.#send(next).finally(() => {
        this.#active -= 1
        this.#inFlight.delete(p)
        this.#pump()
      })
      this.#inFlight.add(p)
    }
  }

  async #send(o: Outgoing): Promise<void> {
    try {
      // rollout_kiosks is the record of a notification (notified_at, attempts), not the commands log.
      const options = {
        ttlMs: this.#o.notifyTtlMs ?? DAY_MS,
        timeoutMs: this.#o.notifyTimeoutMs ?? 60_000,
        record: false,
      }
      const outcome =
        o.command === 'update'
          ? await this.#o.commands.send(o.kioskId, 'update', o.params as UpdateParams, options)
          : await this.#o.commands.send(o.kioskId, 'cancel-update', o.params as { deploymentId: string }, options)
      if (o.command === 'update') await this.#answered(o, outcome)
    } catch (err) {
      this.#log.warn({ err, kioskId: o.kioskId, rolloutId: o.rolloutId, command: o.command }, 'notification failed')
    }
  }

  /** The kiosk's answer to `update`: `alreadyInstalled` goes to verifying; a refusal is a failure. */
  async #answered(o: Outgoing, outcome: CommandOutcome): Promise<void> {
    const now = new Date(this.#now()).toISOString()
    let rows: unknown[] = []
    if (outcome.status === 'ok' && (outcome.data as { outcome?: string } | undefined)?.outcome === 'alreadyInstalled') {
      rows = await this.#db.query(
        `UPDATE rollout_kiosks SET state = 'verifying', reported_at = $3, updated_at = $3
         WHERE rollout_id = $1 AND kiosk_id = $2 AND state IN ('notified', 'downloading', 'downloaded') RETURNING kiosk_id`,
        [o.rolloutId, o.kioskId, now],
      )
    } else if (outcome.status === 'error') {
      rows = await this.#db.query(
        `UPDATE rollout_kiosks SET state = 'failed', error_code = $3, finished_at = $4, updated_at = $4
         WHERE rollout_id = $1 AND kiosk_id = $2 AND state = 'notified' RETURNING kiosk_id`,
        [o.rolloutId, o.kioskId, outcome.error?.code ?? 'ERR_FLEET_ROLLOUT_KIOSK_REFUSED', now],
      )
    }
    if (rows.length > 0) {
      this.#changed(o.rolloutId)
      this.#kick(true)
    }
  }

  #changed(rolloutId: string): void {
    try {
      this.#o.onChanged?.(rolloutId)
    } catch (err) {
      this.#log.warn({ err, rolloutId }, 'rollout change listener failed')
    }
  }
}

function fullFilter(filter: Partial<TargetFilter> | undefined): TargetFilter {
  return {
    machineTypes: filter?.machineTypes ?? [],
    departments: filter?.departments ?? [],
    sites: filter?.sites ?? [],
    deviceModels: filter?.deviceModels ?? [],
    firmware: filter?.firmware ?? [],
    appVersions: filter?.appVersions ?? [],
  }
}

function validateGroups(groups: GroupSpec[]): void {
  if (groups.length === 0) throw new RolloutError(RolloutErrorCodes.invalid, 'a rollout needs at least one group')
  let lastPercent = 0
  for (const g of groups) {
    if ('percent' in g) {
      if (g.percent < lastPercent) {
        throw new RolloutError(RolloutErrorCodes.invalid, 'percent groups are cumulative: each at least the one before')
      }
      lastPercent = g.percent
    }
  }
}

function badTransition(id: string, status: RolloutStatus, action: RolloutAction): RolloutError {
  return new RolloutError(RolloutErrorCodes.badTransition, `rollout ${id} is ${status}: cannot ${action}`)
}

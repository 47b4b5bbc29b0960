import { randomBytes } from 'node:crypto'
import type { RolloutPreview } from '@kiosk-fleet/protocol/http'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Principal } from '../auth/roles.ts'
import type { Database } from '../db/database.ts'
import { FleetError } from '../errors.ts'
import { type ArtifactReader, artifactReader, type ReleasedArtifact } from '../updates/artifact-reader.ts'
import { assignGroups, type GroupSpec } from './grouping.ts'
import type { KioskRolloutState, RolloutStatus, StateCounts } from './kiosk-states.ts'
import { type RolloutContext, rolloutContext } from './rollout-context.ts'
import { RolloutEngine } from './rollout-engine.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'
import { RolloutKioskStore } from './rollout-kiosk-store.ts'
import { type RolloutCommands, RolloutNotifier } from './rollout-notifier.ts'
import { type IngestedReports, RolloutReports } from './rollout-reports.ts'
import { RolloutStore, toRollout } from './rollout-store.ts'
import type { Outgoing, RolloutAction, RolloutDetail, RolloutInput, RolloutKioskRow } from './rollout-types.ts'
import { ScheduleStore } from './schedule-store.ts'
import { type DeviceModelLookup, type SelectionResult, scopedFilter, type TargetFilter } from './selection.ts'

export type { RolloutCommands } from './rollout-notifier.ts'
export type { IngestedReports } from './rollout-reports.ts'
export {
  KIOSK_TIMEOUT_CODE,
  type Rollout,
  type RolloutAction,
  type RolloutDetail,
  type RolloutInput,
  type RolloutKioskRow,
} from './rollout-types.ts'

export interface RolloutServiceOptions {
  db: Database
  commands: RolloutCommands
  audit: AuditLog
  logger: Logger
  /** Registry lookup of device models (`@drivers/registry`'s `createRegistry(allDefinitions).byId`). */
  deviceModels: DeviceModelLookup
  /** How rollouts read artifacts (the updates feature's port; default: its database reader). */
  artifacts?: ArtifactReader
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

const TRANSITIONS: Record<Exclude<RolloutAction, 'approve'>, { from: RolloutStatus[]; to: RolloutStatus }> = {
  start: { from: ['approved'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  abort: { from: ['awaitingApproval', 'approved', 'running', 'paused'], to: 'aborted' },
}

/**
 * Staged rollouts (docs/updates.md "Rollouts"): selection, groups, approval and the lifecycle of a
 * rollout. It composes the parts that do the rest: the engine (rollout-engine.ts: group progression
 * and thresholds), report handling (rollout-reports.ts: deployment reports and births), the notifier
 * (rollout-notifier.ts: `update`/`cancel-update` over MQTT) and the stores (rollout-store.ts,
 * rollout-kiosk-store.ts: SQL on the rollout tables). Artifacts are read through the updates
 * feature's ArtifactReader. All state is in the database.
 */
export class RolloutService {
  readonly #c: RolloutContext
  readonly #audit: AuditLog
  readonly #engine: RolloutEngine
  readonly #reports: RolloutReports
  readonly schedules: ScheduleStore

  constructor(options: RolloutServiceOptions) {
    const now = options.now ?? Date.now
    const kiosks = new RolloutKioskStore(options.db)
    this.schedules = new ScheduleStore(options.db)
    const notifier = new RolloutNotifier({
      commands: options.commands,
      kiosks,
      schedules: this.schedules,
      logger: options.logger,
      now,
      notifyTtlMs: options.notifyTtlMs,
      notifyTimeoutMs: options.notifyTimeoutMs,
      notifyConcurrency: options.notifyConcurrency,
      onAnswered: (rolloutId) => {
        this.#c.changed(rolloutId)
        this.#engine.kick(true)
      },
    })
    this.#c = rolloutContext({
      db: options.db,
      rollouts: new RolloutStore(options.db),
      kiosks,
      notifier,
      log: options.logger,
      now,
      deviceModels: options.deviceModels,
      artifacts: options.artifacts ?? artifactReader,
      onChanged: options.onChanged,
    })
    this.#audit = options.audit
    this.#engine = new RolloutEngine(this.#c, {
      audit: options.audit,
      tickMs: options.tickMs,
      reactDelayMs: options.reactDelayMs,
    })
    this.#reports = new RolloutReports(this.#c, () => this.#engine.kick(true))
  }

  /**
   * Starts ticking once the reports ingest committed before a stop or crash are applied, so no
   * kiosk is timed out for a report the fleet already holds.
   */
  start(): void {
    this.#engine.start()
    this.#c.notifier.start()
    this.#reports.start(() => this.#engine.startTicking())
  }

  /** Stops ticking and waits for the tick, report processing and notifications in flight. */
  async stop(): Promise<void> {
    this.#engine.stop()
    this.#reports.stop()
    this.#c.notifier.close()
    await this.#engine.ticked()
    await this.#reports.settled()
    await this.idle()
  }

  /** Resolves when no notification is queued or waiting for its answer (benchmarks, tests). */
  async idle(): Promise<void> {
    await this.#c.notifier.idle()
  }

  /** One engine pass (rollout-engine.ts); concurrent calls coalesce into one more pass. */
  tick(): Promise<void> {
    return this.#engine.tick()
  }

  /** Ingest's hand-over: deployment reports and births, once their batch is committed. */
  onIngested(result: IngestedReports): void {
    this.#reports.onIngested(result)
  }

  /** Resolves when every hand-over so far is applied (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.#reports.settled()
  }

  /** Applies deployment reports (rollout-reports.ts); returns the rollouts that changed. */
  applyReports(reports: Parameters<RolloutReports['applyReports']>[0]): Promise<string[]> {
    return this.#reports.applyReports(reports)
  }

  // ---------------------------------------------------------------- selection and lifecycle

  /** The numbers `create` would produce, without creating anything. */
  async preview(
    principal: Principal,
    input: Pick<RolloutInput, 'artifactId' | 'filter' | 'groups'>,
  ): Promise<RolloutPreview> {
    const filter = scopedFilter(principal, fullFilter(input.filter))
    const artifact = await this.#c.artifact(this.#c.db, input.artifactId)
    refuseSupersededBundle(artifact)
    const selection = await this.#c.select(this.#c.db, filter, artifact)
    const groups = new Array(input.groups.length).fill(0) as number[]
    for (const a of assignGroups('preview', selection.selected, input.groups))
      groups[a.group] = (groups[a.group] ?? 0) + 1
    return {
      selected: selection.selected.length,
      matched: selection.matched,
      excluded: selection.excluded,
      leftOut: selection.leftOut,
      groups,
    }
  }

  async create(principal: Principal, input: RolloutInput, ip?: string): Promise<RolloutDetail> {
    validateGroups(input.groups)
    const filter = scopedFilter(principal, fullFilter(input.filter))
    const id = `ro_${randomBytes(9).toString('base64url')}`
    await this.#c.db.transaction(async (tx) => {
      const artifact = await this.#c.artifact(tx, input.artifactId)
      if (artifact.status !== 'ready') {
        throw new FleetError(
          RolloutErrorCodes.artifactNotReady,
          `artifact ${artifact.id} is ${artifact.status}, not ready (signed into the update repository)`,
        )
      }
      refuseSupersededBundle(artifact)
      const selection = await this.#c.select(tx, filter, artifact)
      const assigned = assignGroups(id, selection.selected, input.groups)
      if (assigned.length === 0) {
        throw new FleetError(
          RolloutErrorCodes.emptySelection,
          `no kiosk selected (matched ${selection.matched}, incompatible ${selection.excluded.incompatible}, not approved ${selection.excluded.notApproved})`,
        )
      }
      const now = new Date(this.#c.now()).toISOString()
      await this.#c.rollouts.insert(
        tx,
        { id, input: { ...input, artifactId: artifact.id }, filter, createdBy: principal.userId, now },
        assigned,
      )
    })
    await this.#audit.append({
      actor: principal.userId,
      role: principal.role,
      ip,
      action: 'rollout.create',
      target: id,
      outcome: 'ok',
      details: { artifactId: input.artifactId, name: input.name },
    })
    this.#c.changed(id)
    return this.detail(principal, id)
  }

  async list(principal: Principal, options: { status?: RolloutStatus; limit: number; offset: number }) {
    return this.#c.rollouts.list(principal, options)
  }

  async detail(principal: Principal, id: string): Promise<RolloutDetail> {
    const { db, rollouts } = this.#c
    const row = await rollouts.row(db, id)
    await rollouts.checkScope(db, principal, id, 'read')
    const rollout = toRollout(row)
    const artifact = await this.#c.artifact(db, rollout.artifactId)
    const counts = await rollouts.stateCounts(id)
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
      excluded = (await this.#c.select(db, rollout.filter, artifact)).excluded
    } catch (err) {
      this.#c.log.warn({ err, rolloutId: id }, 'excluded counts unavailable')
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
    await this.#c.rollouts.row(this.#c.db, id)
    await this.#c.rollouts.checkScope(this.#c.db, principal, id, 'read')
    return this.#c.rollouts.kiosks(principal, id, options)
  }

  /** approve, start, pause, resume or abort; each checked, audited, and refused from a wrong status. */
  async act(
    principal: Principal,
    id: string,
    action: RolloutAction,
    { reason, ip }: { reason?: string | undefined; ip?: string | undefined } = {},
  ): Promise<RolloutDetail> {
    const audit = (outcome: 'ok' | 'denied', details: Record<string, unknown> = {}) =>
      this.#audit.append({
        actor: principal.userId,
        role: principal.role,
        ip,
        action: `rollout.${action}`,
        target: id,
        outcome,
        details: { ...details, ...(reason === undefined ? {} : { reason }) },
      })
    const { rollouts, kiosks, notifier } = this.#c
    let cancels: Outgoing[] = []
    try {
      cancels = await this.#c.db.transaction(async (tx) => {
        const row = await rollouts.row(tx, id, true)
        await rollouts.checkScope(tx, principal, id, 'manage')
        const now = new Date(this.#c.now()).toISOString()
        if (action === 'approve') {
          if (row.status !== 'awaitingApproval') throw badTransition(id, row.status, action)
          if (row.created_by === principal.userId) {
            throw new FleetError(
              RolloutErrorCodes.selfApproval,
              'a rollout is approved by someone other than its creator',
            )
          }
          await rollouts.approve(tx, id, principal.userId, now)
          return []
        }
        const t = TRANSITIONS[action]
        if (!t.from.includes(row.status)) throw badTransition(id, row.status, action)
        await rollouts.transition(tx, id, t.to, reason ?? null, now)
        return t.to === 'aborted' ? notifier.cancellations(id, await kiosks.cancelRemaining(tx, id, now)) : []
      })
    } catch (err) {
      if (err instanceof FleetError && (err.code === 'ERR_FLEET_ROLLOUT_SELF_APPROVAL' || err.statusCode === 403)) {
        await audit('denied', { code: err.code })
      }
      throw err
    }
    await audit('ok')
    notifier.dispatch(cancels)
    this.#c.changed(id)
    if (action === 'start' || action === 'resume') this.#engine.kick()
    return this.detail(principal, id)
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
  if (groups.length === 0) throw new FleetError(RolloutErrorCodes.invalid, 'a rollout needs at least one group')
  let lastPercent = 0
  for (const g of groups) {
    if ('percent' in g) {
      if (g.percent < lastPercent) {
        throw new FleetError(RolloutErrorCodes.invalid, 'percent groups are cumulative: each at least the one before')
      }
      lastPercent = g.percent
    }
  }
}

function badTransition(id: string, status: RolloutStatus, action: RolloutAction): FleetError {
  return new FleetError(RolloutErrorCodes.badTransition, `rollout ${id} is ${status}: cannot ${action}`)
}

/**
 * A department's catalogue at the fleet is its newest `ready` bundle (the services page, the check of
 * other departments' uploads): rolling out an older one would leave kiosks on a catalogue the fleet
 * does not know. Going back is revoking the newer bundle first (docs/updates.md "Service catalogues").
 */
function refuseSupersededBundle(artifact: ReleasedArtifact): void {
  const newer = artifact.supersededBy
  if (newer === undefined) return
  throw new FleetError(
    RolloutErrorCodes.bundleSuperseded,
    `${newer.department} ${artifact.version} is not the department's newest published bundle: ${newer.version} (${newer.id}) is, and the fleet checks its catalogue against that one; to go back to ${artifact.version}, revoke ${newer.version} first (fleetctl services rollback ${newer.id})`,
    { details: { artifactId: artifact.id, supersededBy: newer } },
  )
}

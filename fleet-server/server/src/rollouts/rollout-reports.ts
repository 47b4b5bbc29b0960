import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import type { Queryable } from '../db/database.ts'
import { applyReport } from './kiosk-states.ts'
import type { RolloutContext } from './rollout-context.ts'
import type { ProgressByKey } from './rollout-kiosk-store.ts'
import type { Outgoing } from './rollout-types.ts'

/** What ingest hands over after a batch is committed (the `WriteResult` of ingest-store.ts has these). */
export interface IngestedReports {
  deployments?: { kioskId: string; payload: DeploymentStatusPayload }[]
  births?: string[]
}

/**
 * Report handling: deployment reports move kiosks through their rollout states (kiosk-states.ts),
 * births re-notify kiosks that were offline and let continuous rollouts take new kiosks. Hand-overs
 * are applied one after another, in the order ingest committed them.
 */
export class RolloutReports {
  readonly #c: RolloutContext
  /** A tick soon after reports or births (the engine's `kick(true)`). */
  readonly #kick: () => void
  #ingesting: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(context: RolloutContext, kick: () => void) {
    this.#c = context
    this.#kick = kick
  }

  /** Applies the reports stored before a stop or crash, then calls `then` (unless stopped meanwhile). */
  start(then: () => void): void {
    this.#stopped = false
    this.#ingesting = this.#ingesting
      .then(() => this.#replayStoredReports())
      .catch((err: unknown) => this.#c.log.warn({ err }, 'stored deployment reports not replayed'))
      .then(() => {
        if (!this.#stopped) then()
      })
  }

  /** Takes no more hand-overs; `settled()` waits for those being applied. */
  stop(): void {
    this.#stopped = true
  }

  /** Ingest's hand-over: deployment reports and births, once their batch is committed. */
  onIngested(result: IngestedReports): void {
    // Stopped: the reports are committed in kiosk_events and replayed at the next start.
    if (this.#stopped) return
    const deployments = result.deployments ?? []
    const births = result.births ?? []
    if (deployments.length === 0 && births.length === 0) return
    this.#ingesting = this.#ingesting
      .then(() => this.#ingest(deployments, births))
      .catch((err: unknown) => this.#c.log.warn({ err }, 'deployment reports not applied'))
  }

  /** Resolves when every hand-over so far is applied (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.#ingesting
  }

  async #ingest(deployments: NonNullable<IngestedReports['deployments']>, births: string[]): Promise<void> {
    const touched = new Set<string>()
    if (deployments.length > 0) for (const id of await this.applyReports(deployments)) touched.add(id)
    if (births.length > 0) {
      const outgoing = await this.#c.db.transaction((tx) => this.#onBirths(tx, births, touched))
      this.#c.notifier.dispatch(outgoing)
    }
    for (const id of touched) this.#c.changed(id)
    this.#kick()
  }

  /**
   * Ingest commits a report (in `kiosk_events`) before handing it over; a stop or crash in between
   * would leave the kiosk behind its own word. On start, the stored reports of every kiosk still
   * working on a rollout are applied again: reports only move a kiosk forward, so those applied
   * before change nothing. Kiosks the server set `timedOut` or `cancelled` are left out, since an
   * old report would wrongly revive them.
   */
  async #replayStoredReports(): Promise<void> {
    const stored = await this.#c.kiosks.storedReports()
    if (stored.length === 0) return
    const changed = await this.applyReports(stored.map((r) => ({ kioskId: r.kiosk_id, payload: r.body })))
    if (changed.length > 0)
      this.#c.log.info({ rollouts: changed }, 'applied deployment reports stored before a restart')
    for (const id of changed) this.#c.changed(id)
  }

  /**
   * Applies deployment reports to `rollout_kiosks` (set-based; idempotent: duplicates and late
   * reports change nothing). Returns the rollouts that changed.
   */
  async applyReports(reports: { kioskId: string; payload: DeploymentStatusPayload }[]): Promise<string[]> {
    const sorted = [...reports].sort((a, b) => a.payload.ts - b.payload.ts || a.payload.seq - b.payload.seq)
    const keys = [...new Set(sorted.map((r) => `${r.payload.deploymentId}\n${r.kioskId}`))]
    const current = await this.#c.kiosks.progress(keys)
    const changed: ProgressByKey = new Map()
    for (const { kioskId, payload } of sorted) {
      const key = `${payload.deploymentId}\n${kioskId}`
      const cur = current.get(key)
      if (cur === undefined) {
        this.#c.log.debug({ kioskId, deploymentId: payload.deploymentId }, 'report for no rollout of this kiosk')
        continue
      }
      const next = applyReport(cur, payload)
      if (next === undefined) continue
      const merged = { ...next, original: cur.original }
      current.set(key, merged)
      changed.set(key, merged)
    }
    if (changed.size === 0) return []
    return this.#c.kiosks.saveProgress(changed, new Date(this.#c.now()).toISOString())
  }

  /** A birth: re-notify a kiosk still `notified` (it was offline), and let continuous rollouts take new kiosks. */
  async #onBirths(tx: Queryable, kioskIds: string[], touched: Set<string>): Promise<Outgoing[]> {
    const { kiosks, rollouts } = this.#c
    const now = new Date(this.#c.now()).toISOString()
    const renotify = await kiosks.renotify(tx, kioskIds, now)
    const outgoing: Outgoing[] = []
    const byRollout = new Map<string, string[]>()
    for (const r of renotify) byRollout.set(r.rollout_id, [...(byRollout.get(r.rollout_id) ?? []), r.kiosk_id])
    for (const [rolloutId, ids] of byRollout) {
      touched.add(rolloutId)
      const rollout = await rollouts.get(tx, rolloutId)
      const artifact = await this.#c.artifact(tx, rollout.artifactId)
      outgoing.push(...(await this.#c.notifier.notifications(tx, rollout, ids, artifact)))
    }
    for (const rollout of await rollouts.runningContinuous(tx)) {
      const fresh = await kiosks.notIn(tx, rollout.id, kioskIds)
      if (fresh.length === 0) continue
      const artifact = await this.#c.artifact(tx, rollout.artifactId)
      const selection = await this.#c.select(tx, rollout.filter, artifact, fresh)
      if (selection.selected.length === 0) continue
      await kiosks.addPending(tx, rollout.id, selection.selected, rollout.currentGroup, now)
      this.#c.log.info({ rolloutId: rollout.id, kiosks: selection.selected }, 'new kiosks joined a continuous rollout')
      touched.add(rollout.id)
    }
    return outgoing
  }
}

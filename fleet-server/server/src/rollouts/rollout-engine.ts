import type { AuditEntry, AuditLog } from '../audit/audit-log.ts'
import type { Queryable } from '../db/database.ts'
import { groupPassed, type KioskRolloutState, type StateCounts, shouldHalt } from './kiosk-states.ts'
import type { RolloutContext } from './rollout-context.ts'
import { closeAtDeadline, everyKioskHasOutcome, loadDeadline } from './rollout-outcomes.ts'
import { KIOSK_TIMEOUT_CODE, type Outgoing, type Rollout } from './rollout-types.ts'
import { type ArtifactInfo, type Candidate, type DeviceModelInfo, peripheralIsModel } from './selection.ts'

export interface RolloutEngineOptions {
  audit: AuditLog
  /** Engine tick interval (default 5 s); reports and births also trigger a tick. */
  tickMs?: number | undefined
  /** How soon after reports or births a tick follows (default 250 ms). */
  reactDelayMs?: number | undefined
}

/**
 * Group progression: each tick moves every running rollout on — kiosks seen healthy succeed, silent
 * ones time out, the error threshold halts, a passed group opens the next, pending kiosks are
 * notified. A tick guarded by an advisory lock lets several replicas run it.
 */
export class RolloutEngine {
  readonly #c: RolloutContext
  readonly #o: RolloutEngineOptions
  #timer: ReturnType<typeof setInterval> | undefined
  #soon: ReturnType<typeof setTimeout> | undefined
  #ticking: Promise<void> | undefined
  #again = false
  #stopped = false
  readonly #audits: AuditEntry[] = []

  constructor(context: RolloutContext, options: RolloutEngineOptions) {
    this.#c = context
    this.#o = options
  }

  /** Allows ticks again (after `stop`); `startTicking` adds the interval. */
  start(): void {
    this.#stopped = false
  }

  startTicking(): void {
    if (this.#stopped) return
    this.#timer = setInterval(() => this.kick(), this.#o.tickMs ?? 5000)
    this.#timer.unref()
    this.kick()
  }

  /** No more ticks; `ticked()` waits for the one running. */
  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    clearTimeout(this.#soon)
  }

  async ticked(): Promise<void> {
    await this.#ticking
  }

  /** A tick now, or (`soon`) after `reactDelayMs` so reports arriving together share one tick. */
  kick(soon = false): void {
    if (this.#stopped) return
    if (soon) {
      this.#soon ??= setTimeout(() => {
        this.#soon = undefined
        this.kick()
      }, this.#o.reactDelayMs ?? 250)
      return
    }
    void this.tick().catch((err: unknown) => this.#c.log.warn({ err }, 'rollout tick failed'))
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
    const outgoing = await this.#c.db.transaction(async (tx) => {
      if (!(await this.#c.rollouts.tryTickLock(tx))) return []
      const out: Outgoing[] = []
      for (const rollout of await this.#c.rollouts.tickable(tx))
        out.push(...(await this.#advance(tx, rollout, touched)))
      return out
    })
    for (const entry of this.#audits.splice(0)) await this.#o.audit.append(entry)
    this.#c.notifier.dispatch(outgoing)
    for (const id of touched) this.#c.changed(id)
  }

  async #advance(tx: Queryable, rollout: Rollout, touched: Set<string>): Promise<Outgoing[]> {
    const { kiosks, rollouts } = this.#c
    const now = this.#c.now()
    const nowIso = new Date(now).toISOString()
    const artifact = await this.#c.artifact(tx, rollout.artifactId)
    // Kiosks that reported success and are now seen healthy on the new version.
    const healthy = await this.#healthyVerifying(tx, rollout, artifact)
    if (healthy.length > 0) {
      await kiosks.markSucceeded(tx, rollout.id, healthy, nowIso)
      touched.add(rollout.id)
    }
    // A kiosk that went offline before it downloaded is not failing: it goes back to pending and is
    // notified again at its next birth. Offline during the install stretch (a reboot it never came back
    // from) is a timeout like any other.
    const before = new Date(now - rollout.kioskTimeoutMs).toISOString()
    const gone = await kiosks.returnOfflineToPending(tx, rollout.id, before, nowIso)
    if (gone.length > 0) touched.add(rollout.id)
    const timedOut = await kiosks.timeOut(tx, rollout.id, before, KIOSK_TIMEOUT_CODE, nowIso)
    if (timedOut.length > 0) {
      touched.add(rollout.id)
      this.#c.log.warn({ rolloutId: rollout.id, kiosks: timedOut.map((t) => t.kiosk_id) }, 'kiosks timed out')
    }
    if (rollout.status !== 'running' && rollout.status !== 'paused') return []

    const counts = await kiosks.counts(tx, rollout.id)
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
      await rollouts.halt(tx, rollout.id, reason, nowIso)
      this.#c.log.warn({ rolloutId: rollout.id, reason }, 'rollout halted')
      // Audited after the tick's transaction commits (the audit log takes its own transaction).
      this.#audits.push({
        actor: 'rollout-engine',
        action: 'rollout.halt',
        target: rollout.id,
        outcome: 'ok',
        details: { failed: halt.failed, finished: halt.finished, reason },
      })
      touched.add(rollout.id)
      return this.#c.notifier.cancellations(rollout.id, await kiosks.cancelRemaining(tx, rollout.id, nowIso))
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
      await rollouts.moveToGroup(tx, rollout.id, group, nowIso)
      this.#c.log.info({ rolloutId: rollout.id, group }, 'rollout moved to the next group')
      touched.add(rollout.id)
    }
    // COMPLETED only when every targeted kiosk has an outcome; kiosks offline or timed out are retried
    // when they return until the deadline, which gives the ones still pending theirs.
    const deadline = rollout.continuous ? undefined : await loadDeadline(tx, rollout.id)
    const deadlinePassed = deadline !== undefined && now >= deadline
    if (deadlinePassed && (total.pending ?? 0) > 0) {
      total.timedOut = (total.timedOut ?? 0) + (await closeAtDeadline(tx, rollout.id, nowIso))
      total.pending = 0
      touched.add(rollout.id)
    }
    const lastPassed = group === last && passed(last)
    if (!rollout.continuous && everyKioskHasOutcome(total, deadlinePassed) && (lastPassed || deadlinePassed)) {
      const reason = lastPassed ? null : 'deadline passed before every group succeeded'
      await rollouts.complete(tx, rollout.id, nowIso, reason)
      this.#c.log.info({ rolloutId: rollout.id, reason }, 'rollout completed')
      touched.add(rollout.id)
      return []
    }
    // Notify the online kiosks still pending in the groups started so far.
    const due = await kiosks.notifyDue(tx, rollout.id, group, nowIso)
    if (due.length === 0) return []
    touched.add(rollout.id)
    return this.#c.notifier.notifications(tx, rollout, due, artifact)
  }

  async #healthyVerifying(tx: Queryable, rollout: Rollout, artifact: ArtifactInfo): Promise<string[]> {
    // App: the kiosk's latest birth names the new version and it is online.
    if (artifact.kind === 'app') return this.#c.kiosks.verifyingOnApp(tx, rollout.id, artifact.version)
    const rows = await this.#c.kiosks.verifyingWithPeripherals(tx, rollout.id)
    if (rows.length === 0) return []
    // A catalogue bundle: the kiosk reported success once it loaded the catalogue; online is enough.
    if (artifact.kind === 'catalogue') return rows.filter((r) => r.state === 'online').map((r) => r.kiosk_id)
    const model: DeviceModelInfo | undefined =
      artifact.deviceModel === null ? undefined : this.#c.deviceModels(artifact.deviceModel)
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
}

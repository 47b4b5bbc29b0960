import type { CommandName, CommandParams, UpdateParams } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { CommandOutcome } from '../commands/command-sender.ts'
import type { Queryable } from '../db/database.ts'
import type { KioskRolloutState } from './kiosk-states.ts'
import type { RolloutKioskStore } from './rollout-kiosk-store.ts'
import type { Outgoing, Rollout } from './rollout-types.ts'
import { buildSchedule, localDate, type SiteSchedule } from './schedule.ts'
import type { ScheduleStore } from './schedule-store.ts'
import type { ArtifactInfo } from './selection.ts'

const DAY_MS = 24 * 3_600_000

/** What the engine needs of the command sender (CommandSender satisfies it). */
export interface RolloutCommands {
  send<C extends CommandName>(
    kioskId: string,
    command: C,
    params: CommandParams<C>,
    options: { ttlMs: number; timeoutMs: number; record?: boolean },
  ): Promise<CommandOutcome>
}

export interface RolloutNotifierOptions {
  commands: RolloutCommands
  kiosks: RolloutKioskStore
  schedules: ScheduleStore
  logger: Logger
  now: () => number
  /** Expiry of an `update` notification (default 24 h). */
  notifyTtlMs?: number | undefined
  /** How long to wait for a kiosk's answer to `update` (default 60 s). */
  notifyTimeoutMs?: number | undefined
  /** Notifications in flight at once (default 500). */
  notifyConcurrency?: number | undefined
  /** A kiosk's answer moved it (already installed, or refused): the rollout changed. */
  onAnswered: (rolloutId: string) => void
}

/**
 * The rollout's MQTT side: builds `update` notifications (with each site's install windows) and
 * `cancel-update`s, sends them in parallel without holding up the tick, and records the answers.
 */
export class RolloutNotifier {
  readonly #o: RolloutNotifierOptions
  readonly #inFlight = new Set<Promise<void>>()
  readonly #queue: Outgoing[] = []
  #active = 0
  #stopped = false

  constructor(options: RolloutNotifierOptions) {
    this.#o = options
  }

  start(): void {
    this.#stopped = false
  }

  /** Takes no more notifications and drops those queued; `idle()` waits for those in flight. */
  close(): void {
    this.#stopped = true
    this.#queue.length = 0
  }

  /** Resolves when no notification is queued or waiting for its answer (benchmarks, tests). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#queue.length > 0) await Promise.all([...this.#inFlight])
  }

  /** `cancel-update` for the cancelled kiosks that had been notified (pending ones never heard of it). */
  cancellations(rolloutId: string, cancelled: { kiosk_id: string; was: KioskRolloutState }[]): Outgoing[] {
    return cancelled
      .filter((c) => c.was !== 'pending')
      .map((c) => ({
        rolloutId,
        kioskId: c.kiosk_id,
        command: 'cancel-update' as const,
        params: { deploymentId: rolloutId },
      }))
  }

  /** `update` for each kiosk: immediately, or within its site's install windows from today on. */
  async notifications(
    tx: Queryable,
    rollout: Rollout,
    kioskIds: string[],
    artifact: ArtifactInfo,
  ): Promise<Outgoing[]> {
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
    const today = localDate(this.#o.now())
    const { calendar, sites: own } = await this.#o.schedules.forNotification(tx, siteIds, today)
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
  dispatch(outgoing: Outgoing[]): void {
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
      this.#o.logger.warn(
        { err, kioskId: o.kioskId, rolloutId: o.rolloutId, command: o.command },
        'notification failed',
      )
    }
  }

  /** The kiosk's answer to `update`: `alreadyInstalled` goes to verifying; a refusal is a failure. */
  async #answered(o: Outgoing, outcome: CommandOutcome): Promise<void> {
    const now = new Date(this.#o.now()).toISOString()
    let moved = false
    if (outcome.status === 'ok' && (outcome.data as { outcome?: string } | undefined)?.outcome === 'alreadyInstalled') {
      moved = await this.#o.kiosks.alreadyInstalled(o.rolloutId, o.kioskId, now)
    } else if (outcome.status === 'error') {
      const code = outcome.error?.code ?? 'ERR_FLEET_ROLLOUT_KIOSK_REFUSED'
      moved = await this.#o.kiosks.refused(o.rolloutId, o.kioskId, code, now)
    }
    if (moved) this.#o.onAnswered(o.rolloutId)
  }
}

import type { Logger } from 'pino'
import type { Principal } from '../auth/roles.ts'
import { scopeView } from '../auth/scope.ts'
import type { KioskRepo, KioskView } from '../kiosks/kiosk-repo.ts'

/** Things other than kiosks that dashboards show and re-read when told their id changed. */
export type LiveTopic = 'rollout' | 'artifact'

/** What one replica tells the others (live-fanout.ts), so every replica's dashboards see every change. */
export type LiveChange = { kind: 'kiosks'; ids: string[] } | { kind: 'touch'; topic: LiveTopic; id: string }

interface Subscriber {
  principal: Principal
  send: (kiosks: KioskView[]) => void
  /** `{id}`s of changed rollouts or artifacts; the dashboard re-reads them with its own permissions. */
  touched?: ((topic: LiveTopic, ids: { id: string }[]) => void) | undefined
}

/**
 * Pushes changed kiosks to live dashboards, and only queries them when someone is watching. A change
 * goes out at once when the last push started at least `minIntervalMs` ago and none is running;
 * otherwise it joins the changes gathered for the next push, which starts when the running one ends
 * and that interval has passed. (Gathering every change for a fixed 250 ms put a quarter of a second
 * between a kiosk's report and the dashboard on an idle fleet: p50 247 ms, p99 392 ms.)
 */
export class LiveHub {
  readonly #subscribers = new Set<Subscriber>()
  readonly #pending = new Set<string>()
  readonly #touched = new Map<LiveTopic, Set<string>>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #publishing = false
  #closed = false
  #lastStart = Number.NEGATIVE_INFINITY
  #relay: ((change: LiveChange) => void) | undefined

  constructor(
    private readonly kiosks: Pick<KioskRepo, 'byIds'>,
    private readonly logger: Logger,
    /** At least this long between the starts of two pushes, ms: ingest commits a batch every 50 ms at most. */
    private readonly minIntervalMs = 50,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get subscriberCount(): number {
    return this.#subscribers.size
  }

  /** Each subscriber receives only the kiosks (and peripherals) within its principal's scope. */
  subscribe(
    principal: Principal,
    send: (kiosks: KioskView[]) => void,
    touched?: (topic: LiveTopic, ids: { id: string }[]) => void,
  ): () => void {
    const subscriber = { principal, send, touched }
    this.#subscribers.add(subscriber)
    return () => this.#subscribers.delete(subscriber)
  }

  /** Changes made here are also handed to `relay` (the other replicas); see `receive`. */
  relayTo(relay: (change: LiveChange) => void): void {
    this.#relay = relay
  }

  /** A change another replica made: shown to this replica's dashboards, not relayed again. */
  receive(change: LiveChange): void {
    if (change.kind === 'kiosks') this.#changed(change.ids)
    else this.#touch(change.topic, change.id)
  }

  changed(kioskIds: string[]): void {
    if (kioskIds.length > 0) this.#relay?.({ kind: 'kiosks', ids: kioskIds })
    this.#changed(kioskIds)
  }

  #changed(kioskIds: string[]): void {
    if (this.#subscribers.size === 0 || kioskIds.length === 0) return
    for (const id of kioskIds) this.#pending.add(id)
    this.#schedule()
  }

  /** A rollout's progress or an artifact's status changed (gathered like kiosk changes). */
  touch(topic: LiveTopic, id: string): void {
    this.#relay?.({ kind: 'touch', topic, id })
    this.#touch(topic, id)
  }

  #touch(topic: LiveTopic, id: string): void {
    if (this.#subscribers.size === 0) return
    const ids = this.#touched.get(topic) ?? new Set<string>()
    ids.add(id)
    this.#touched.set(topic, ids)
    this.#schedule()
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#subscribers.clear()
  }

  /** The next push: at once, after the interval, or — while one runs — when it ends. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#publishing || this.#closed) return
    const wait = Math.max(0, this.#lastStart + this.minIntervalMs - this.now())
    this.#timer = setTimeout(() => void this.#publish(), wait)
  }

  async #publish(): Promise<void> {
    this.#timer = undefined
    this.#publishing = true
    this.#lastStart = this.now()
    try {
      await this.#push()
    } finally {
      this.#publishing = false
      if (this.#pending.size > 0 || this.#touched.size > 0) this.#schedule()
    }
  }

  async #push(): Promise<void> {
    const ids = [...this.#pending]
    this.#pending.clear()
    for (const [topic, touched] of this.#touched) {
      const list = [...touched].map((id) => ({ id }))
      for (const { touched: notify } of this.#subscribers) notify?.(topic, list)
    }
    this.#touched.clear()
    if (ids.length === 0) return
    try {
      const views = await this.kiosks.byIds(ids)
      for (const { principal, send } of this.#subscribers) {
        const visible = views.flatMap((v) => scopeView(principal, v) ?? [])
        if (visible.length > 0) send(visible)
      }
    } catch (err) {
      this.logger.warn({ err }, 'live update failed')
    }
  }
}

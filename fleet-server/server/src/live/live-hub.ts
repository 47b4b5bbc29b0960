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
 * Pushes changed kiosks to live dashboards. Changes are gathered and sent at most every
 * `intervalMs`, and only queried when someone is watching.
 */
export class LiveHub {
  readonly #subscribers = new Set<Subscriber>()
  readonly #pending = new Set<string>()
  readonly #touched = new Map<LiveTopic, Set<string>>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #relay: ((change: LiveChange) => void) | undefined

  constructor(
    private readonly kiosks: KioskRepo,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
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
    this.#timer ??= setTimeout(() => void this.#publish(), this.intervalMs)
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
    this.#timer ??= setTimeout(() => void this.#publish(), this.intervalMs)
  }

  close(): void {
    clearTimeout(this.#timer)
    this.#subscribers.clear()
  }

  async #publish(): Promise<void> {
    this.#timer = undefined
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

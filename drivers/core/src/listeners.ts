/** A tiny typed listener set: `on` returns the function that removes the listener. */
export class Listeners<Args extends unknown[]> {
  readonly #set = new Set<(...args: Args) => void>()

  on(listener: (...args: Args) => void): () => void {
    this.#set.add(listener)
    return () => {
      this.#set.delete(listener)
    }
  }

  emit(...args: Args): void {
    for (const listener of [...this.#set]) listener(...args)
  }

  get size(): number {
    return this.#set.size
  }

  clear(): void {
    this.#set.clear()
  }
}

/** Typed event map: one Listeners per event name. */
export class TypedEvents<Events extends Record<string, unknown[]>> {
  readonly #byName = new Map<keyof Events, Listeners<unknown[]>>()

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.#byName.get(event)
    if (set === undefined) {
      set = new Listeners<unknown[]>()
      this.#byName.set(event, set)
    }
    return set.on(listener as (...args: unknown[]) => void)
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    this.#byName.get(event)?.emit(...args)
  }

  clear(): void {
    this.#byName.clear()
  }
}

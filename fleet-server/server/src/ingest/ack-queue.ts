/** One message's acknowledgement, released once it is settled and every earlier one is. */
export interface AckTicket {
  settled: boolean
  readonly ack: (() => void) | undefined
}

/**
 * Acknowledgements in arrival order. MQTT 3.1.1 requires PUBACKs in the order the PUBLISHes came
 * [MQTT-4.6.0-2], and a broker that redelivers on reconnect expects nothing else: a message is
 * acknowledged when it is committed (or deliberately refused), and not before any message that came
 * before it.
 */
export class AckQueue {
  #tickets: AckTicket[] = []
  #head = 0

  /** Takes a place in line; `ack` runs once this and every earlier ticket is settled. */
  enqueue(ack: (() => void) | undefined): AckTicket {
    const ticket: AckTicket = { settled: false, ack }
    this.#tickets.push(ticket)
    return ticket
  }

  settle(tickets: Iterable<AckTicket>): void {
    for (const t of tickets) t.settled = true
    this.#release()
  }

  /** Acknowledgements waiting (for a commit, or behind one). */
  get pending(): number {
    return this.#tickets.length - this.#head
  }

  #release(): void {
    const tickets = this.#tickets
    while (this.#head < tickets.length) {
      const t = tickets[this.#head] as AckTicket
      if (!t.settled) break
      this.#head += 1
      t.ack?.()
    }
    if (this.#head > 1024 && this.#head * 2 > tickets.length) {
      this.#tickets = tickets.slice(this.#head)
      this.#head = 0
    }
  }
}

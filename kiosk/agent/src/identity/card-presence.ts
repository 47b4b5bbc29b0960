import type { CardReader, IdentityCard } from '@drivers/core'
import { Listeners } from '@drivers/core'

/**
 * Whether an ID card lies on the reader, and the card it is while it lies there.
 *
 * A GA 467 SAM reads a card once per presentation (the card halts after the read), so a card the
 * citizen put down before touching "start" was read by the poller with nobody waiting. The card
 * is kept here, in memory, exactly as long as it lies on the reader: the reader's removal event
 * drops it (and any listener clears the screen). Nothing of it is logged or sent anywhere.
 */
export class CardPresence {
  readonly #changed = new Listeners<[present: boolean]>()
  readonly #offs: (() => void)[]
  #present = false
  #card: IdentityCard | undefined

  constructor(reader: CardReader) {
    this.#offs = [
      reader.on('cardInserted', () => this.#set(true)),
      reader.on('cardRead', (card) => {
        this.#card = card
        this.#set(true)
      }),
      reader.on('cardRemoved', () => {
        this.#card = undefined
        this.#set(false)
      }),
    ]
  }

  get present(): boolean {
    return this.#present
  }

  /** The card on the reader now, read before anyone asked; undefined once it is lifted. */
  get cardOnReader(): IdentityCard | undefined {
    return this.#present ? this.#card : undefined
  }

  onChanged(listener: (present: boolean) => void): () => void {
    return this.#changed.on(listener)
  }

  dispose(): void {
    for (const off of this.#offs) off()
    this.#card = undefined
    this.#changed.clear()
  }

  #set(present: boolean): void {
    if (present === this.#present) return
    this.#present = present
    this.#changed.emit(present)
  }
}

import { Listeners } from '@drivers/core'
import type { PcscConnector, PcscContext, PcscReader } from './pcsc.ts'

/** What a card in a memory reader does with an APDU (a VirtualSscCard's `process`). */
export interface MemoryCard {
  atr: Uint8Array
  process(apdu: Uint8Array): Uint8Array
  reset(): void
}

/**
 * An in-memory PC/SC stack for unit tests: one context, readers you plug in, cards you insert and
 * pull. Errors carry PC/SC return codes the way pcsclite phrases them.
 */
export class MemoryPcsc {
  readonly readers: MemoryPcscReader[] = []
  readonly #contexts = new Set<{ reader: Listeners<[PcscReader]>; error: Listeners<[Error]> }>()
  serviceDown = false

  connector(): PcscConnector {
    return async () => {
      const entry = { reader: new Listeners<[PcscReader]>(), error: new Listeners<[Error]>() }
      this.#contexts.add(entry)
      // Like pcsclite, readers (or the service error) arrive after the listener is registered.
      const context: PcscContext = {
        onReader: (l) => {
          const off = entry.reader.on(l)
          queueMicrotask(() => {
            if (!this.serviceDown) for (const r of this.readers) l(r)
          })
          return off
        },
        onError: (l) => {
          const off = entry.error.on(l)
          queueMicrotask(() => {
            if (this.serviceDown) l(new Error('SCardEstablishContext error: Service not available.(0x8010001d)'))
          })
          return off
        },
        close: () => this.#contexts.delete(entry),
      }
      return context
    }
  }

  plugReader(name: string): MemoryPcscReader {
    const reader = new MemoryPcscReader(name)
    this.readers.push(reader)
    for (const c of this.#contexts) c.reader.emit(reader)
    return reader
  }
}

export class MemoryPcscReader implements PcscReader {
  readonly name: string
  /** Pull the card when this many more APDUs have been answered (simulates a citizen pulling it). */
  pullAfterApdus: number | undefined
  #card: MemoryCard | undefined
  #connected = false
  readonly #status = new Listeners<[boolean, Uint8Array | undefined]>()
  readonly #end = new Listeners<[]>()

  constructor(name: string) {
    this.name = name
  }

  insert(card: MemoryCard): void {
    this.#card = card
    card.reset()
    this.#status.emit(true, card.atr)
  }

  pull(): void {
    this.#card = undefined
    this.#connected = false
    this.#status.emit(false, undefined)
  }

  unplug(): void {
    this.#card = undefined
    this.#end.emit()
  }

  onStatus(listener: (present: boolean, atr: Uint8Array | undefined) => void): () => void {
    const off = this.#status.on(listener)
    const card = this.#card
    queueMicrotask(() => listener(card !== undefined, card?.atr))
    return off
  }

  onEnd(listener: () => void): () => void {
    return this.#end.on(listener)
  }

  async present(): Promise<boolean> {
    return this.#card !== undefined
  }

  async connect(): Promise<void> {
    if (!this.#card) throw new Error('SCardConnect error: No smart card inserted.(0x8010000c)')
    this.#connected = true
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.#connected || !this.#card) throw new Error('SCardTransmit error: Card was removed.(0x80100069)')
    if (this.pullAfterApdus !== undefined && --this.pullAfterApdus < 0) {
      this.pullAfterApdus = undefined
      this.pull()
      throw new Error('SCardTransmit error: Transaction failed.(0x80100016)')
    }
    return this.#card.process(apdu)
  }

  async disconnect(): Promise<void> {
    if (this.#connected) this.#card?.reset()
    this.#connected = false
  }
}

/**
 * The PC/SC surface the card service needs, promise-based. `pcsclite-adapter.ts` implements it on
 * @pokusew/pcsclite (pcscd); `memory-pcsc.ts` implements it in memory for unit tests.
 */
export interface PcscReader {
  readonly name: string
  /** Card presence changes (and the first state right after the reader appears). */
  onStatus(listener: (present: boolean, atr: Uint8Array | undefined) => void): () => void
  /** The reader went away (unplugged, pcscd stopped). */
  onEnd(listener: () => void): () => void
  /** Asks the reader now whether a card is in it. */
  present(): Promise<boolean>
  /** Connects to the card (T=0 or T=1, shared). Rejects with the PC/SC error text. */
  connect(): Promise<void>
  /** One C-APDU → R-APDU. Rejects with the PC/SC error text (e.g. "Card was removed.(0x80100069)"). */
  transmit(apdu: Uint8Array): Promise<Uint8Array>
  /** Disconnects and unpowers the card, so no PIN verification outlives the session. */
  disconnect(): Promise<void>
}

export interface PcscContext {
  onReader(listener: (reader: PcscReader) => void): () => void
  /** The context failed (pcscd not running: SCARD_E_NO_SERVICE). */
  onError(listener: (error: Error) => void): () => void
  close(): void
}

export type PcscConnector = () => Promise<PcscContext>

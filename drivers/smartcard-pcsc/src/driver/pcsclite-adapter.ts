import { createRequire } from 'node:module'
import { AppError, Listeners } from '@drivers/core'
import type { PcscConnector, PcscContext, PcscReader } from './pcsc.ts'
import { PcscErrorCodes } from './pcsc-errors.ts'

type Callback<T> = (err: Error | null | undefined, value: T) => void

/** The part of @pokusew/pcsclite 0.6 we use (its own types use `any`). */
interface NativeReader {
  name: string
  SCARD_STATE_PRESENT: number
  SCARD_STATE_MUTE: number
  SCARD_SHARE_SHARED: number
  SCARD_PROTOCOL_T0: number
  SCARD_PROTOCOL_T1: number
  SCARD_UNPOWER_CARD: number
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  connect(options: { share_mode: number; protocol: number }, cb: Callback<number>): void
  transmit(data: Buffer, resLen: number, protocol: number, cb: Callback<Buffer>): void
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void
  close(): void
}

interface NativeContext {
  on(event: 'reader', listener: (reader: NativeReader) => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  close(): void
}

export type PcscLiteImporter = () => unknown

const defaultImporter: PcscLiteImporter = () => createRequire(import.meta.url)('@pokusew/pcsclite')

/**
 * Loads @pokusew/pcsclite (a CommonJS native addon built by node-gyp against libpcsclite-dev) only
 * when PC/SC is used; a failure names the Debian packages. The importer is injectable for tests.
 */
export function loadPcscLite(importer: PcscLiteImporter = defaultImporter): () => NativeContext {
  try {
    const mod = importer() as (() => NativeContext) | { default?: () => NativeContext }
    const factory = typeof mod === 'function' ? mod : mod.default
    if (typeof factory !== 'function') throw new Error('@pokusew/pcsclite exports no function')
    return factory
  } catch (cause) {
    throw new AppError(
      PcscErrorCodes.unavailable,
      `PC/SC is unavailable: @pokusew/pcsclite could not be loaded (${(cause as Error).message}). ` +
        'Install the Debian packages pcscd and libpcsclite-dev (and build-essential), then run npm install again.',
      { cause },
    )
  }
}

/** A PcscConnector on pcscd through @pokusew/pcsclite. */
export function pcscLiteConnector(importer?: PcscLiteImporter): PcscConnector {
  return async () => new PcscLiteContext(loadPcscLite(importer)())
}

class PcscLiteContext implements PcscContext {
  readonly #native: NativeContext
  readonly #readers = new Listeners<[PcscReader]>()
  readonly #errors = new Listeners<[Error]>()
  readonly #seen = new Set<NativeReader>()

  constructor(native: NativeContext) {
    this.#native = native
    native.on('reader', (reader) => {
      this.#seen.add(reader)
      reader.on('end', () => this.#seen.delete(reader))
      this.#readers.emit(new PcscLiteReader(reader))
    })
    native.on('error', (err) => this.#errors.emit(err))
  }

  onReader(listener: (reader: PcscReader) => void): () => void {
    return this.#readers.on(listener)
  }

  onError(listener: (error: Error) => void): () => void {
    return this.#errors.on(listener)
  }

  /** Each reader has its own status thread in the addon: close them too, or the process never exits. */
  close(): void {
    for (const reader of this.#seen) reader.close()
    this.#seen.clear()
    this.#native.close()
  }
}

class PcscLiteReader implements PcscReader {
  readonly name: string
  readonly #native: NativeReader
  readonly #status = new Listeners<[boolean, Uint8Array | undefined]>()
  readonly #end = new Listeners<[]>()
  #protocol = 0
  #connected = false
  #present = false

  constructor(native: NativeReader) {
    this.#native = native
    this.name = native.name
    native.on('status', (status) => {
      const present = this.#isPresent(status.state)
      this.#present = present
      this.#status.emit(present, status.atr ? Uint8Array.from(status.atr) : undefined)
    })
    native.on('end', () => this.#end.emit())
    // Reader errors (SCardGetStatusChange failing) are followed by 'end'; keep them from crashing the process.
    native.on('error', () => undefined)
  }

  onStatus(listener: (present: boolean, atr: Uint8Array | undefined) => void): () => void {
    return this.#status.on(listener)
  }

  onEnd(listener: () => void): () => void {
    return this.#end.on(listener)
  }

  /**
   * The presence pcscd last reported. (pcsclite's get_status can stay unanswered once the card is
   * gone, so the state from the status-change thread is the reliable one.)
   */
  async present(): Promise<boolean> {
    return this.#present
  }

  connect(): Promise<void> {
    const n = this.#native
    return new Promise((resolve, reject) => {
      n.connect(
        { share_mode: n.SCARD_SHARE_SHARED, protocol: n.SCARD_PROTOCOL_T0 | n.SCARD_PROTOCOL_T1 },
        (err, protocol) => {
          if (err) return reject(err)
          this.#protocol = protocol
          this.#connected = true
          resolve()
        },
      )
    })
  }

  transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#native.transmit(Buffer.from(apdu), 258, this.#protocol, (err, data) => {
        if (err) reject(err)
        else resolve(Uint8Array.from(data))
      })
    })
  }

  disconnect(): Promise<void> {
    if (!this.#connected) return Promise.resolve()
    this.#connected = false
    return new Promise((resolve) => {
      // A card already pulled fails to disconnect; the handle is released either way.
      this.#native.disconnect(this.#native.SCARD_UNPOWER_CARD, () => resolve())
    })
  }

  #isPresent(state: number): boolean {
    return (state & this.#native.SCARD_STATE_PRESENT) !== 0 && (state & this.#native.SCARD_STATE_MUTE) === 0
  }
}

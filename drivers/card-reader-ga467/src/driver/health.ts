import type { DeviceCounters } from '@drivers/core'

/** Counter names a GA 467 reader reports in kiosk health snapshots. */
export type ReaderCounterName =
  | 'readsOk'
  | 'readsFailed'
  | 'samErrors'
  | 'discardedBytes'
  | 'checksumErrors'
  | 'timeouts'
  | 'disconnects'
  | 'reconnects'
  | 'bytesSent'
  | 'bytesReceived'

export interface LastError {
  code: string
  message: string
  at: string
}

/** Monotonic counters plus the last error (a stable code and a message with no card data). */
export class ReaderHealth {
  readonly #counters: Record<ReaderCounterName, number> = {
    readsOk: 0,
    readsFailed: 0,
    samErrors: 0,
    discardedBytes: 0,
    checksumErrors: 0,
    timeouts: 0,
    disconnects: 0,
    reconnects: 0,
    bytesSent: 0,
    bytesReceived: 0,
  }
  #lastError: LastError | undefined
  readonly #now: () => Date

  constructor(now: () => Date = () => new Date()) {
    this.#now = now
  }

  add(name: ReaderCounterName, by = 1): void {
    this.#counters[name] += by
  }

  recordError(code: string, message: string): void {
    this.#lastError = { code, message, at: this.#now().toISOString() }
  }

  get lastError(): LastError | undefined {
    return this.#lastError
  }

  snapshot(): DeviceCounters {
    return { ...this.#counters }
  }
}

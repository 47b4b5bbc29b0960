import type { DeviceCounters } from '@drivers/core'

export type ScannerCounterName =
  | 'scans'
  | 'scansWhileDisabled'
  | 'discardedBytes'
  | 'discardedFrames'
  | 'overflows'
  | 'undecodableScans'
  | 'triggers'
  | 'disconnects'
  | 'reconnects'

/** Monotonic counters for kiosk health snapshots. */
export class ScannerHealth {
  readonly #counters: Record<ScannerCounterName, number> = {
    scans: 0,
    scansWhileDisabled: 0,
    discardedBytes: 0,
    discardedFrames: 0,
    overflows: 0,
    undecodableScans: 0,
    triggers: 0,
    disconnects: 0,
    reconnects: 0,
  }

  add(name: ScannerCounterName, by = 1): void {
    this.#counters[name] += by
  }

  snapshot(): DeviceCounters {
    return { ...this.#counters }
  }
}

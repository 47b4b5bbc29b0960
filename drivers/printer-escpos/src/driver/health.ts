import type { DeviceCounters } from '@drivers/core'

/** Health counters of one receipt printer; `paperRemainingMm` is estimated from the configured roll. */
export class PrinterHealth {
  jobs = 0
  jobsFailed = 0
  jobsRefused = 0
  lines = 0
  paperMm = 0
  cuts = 0
  bytesSent = 0
  discardedBytes = 0
  statusTimeouts = 0
  disconnects = 0
  reconnects = 0
  firmwareRetransmits = 0
  #usedSinceLoadMm = 0
  readonly #rollLengthMm: number

  constructor(rollLengthMm: number) {
    this.#rollLengthMm = rollLengthMm
  }

  printed(paperMm: number, lines: number, cuts: number): void {
    this.jobs++
    this.lines += lines
    this.cuts += cuts
    this.paperMm += paperMm
    this.#usedSinceLoadMm += paperMm
  }

  /** A fresh roll was seen (paper went from out or low back to full). */
  rollLoaded(): void {
    this.#usedSinceLoadMm = 0
  }

  snapshot(): DeviceCounters {
    return {
      jobs: this.jobs,
      jobsFailed: this.jobsFailed,
      jobsRefused: this.jobsRefused,
      lines: this.lines,
      paperMm: Math.round(this.paperMm),
      cuts: this.cuts,
      bytesSent: this.bytesSent,
      discardedBytes: this.discardedBytes,
      statusTimeouts: this.statusTimeouts,
      disconnects: this.disconnects,
      reconnects: this.reconnects,
      firmwareRetransmits: this.firmwareRetransmits,
      paperRemainingMm: Math.max(0, Math.round(this.#rollLengthMm - this.#usedSinceLoadMm)),
    }
  }
}

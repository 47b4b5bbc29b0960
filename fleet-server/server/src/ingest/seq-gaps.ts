/** A run of sequence numbers of one kiosk that never arrived within the grace period. */
export interface MissingRun {
  kioskId: string
  from: number
  to: number
}

interface KioskStream {
  high: number
  /** Numbers skipped over, with when they were first missed. */
  missing: Map<number, number>
  /** Numbers above `high` that already arrived as retained messages: no hole when `high` passes them. */
  ahead: Set<number>
}

/**
 * Which of a kiosk's sequence numbers are missing. Messages of different topics may arrive out of
 * order (MQTT orders per topic only; a broker delivers a reconnect's birth, statuses and health as it
 * likes), so a number skipped over is only *missing* once `graceMs` passed without it: a late one
 * fills its hole and nothing is reported. A message the broker hands over as retained (a replay on
 * subscribe, or a retained publish queued for the fleet's session) counts as arrived but never sets
 * where the stream is: it may be old. Pure apart from the injected clock.
 */
export class SeqGapTracker {
  readonly #streams = new Map<string, KioskStream>()
  /** Kiosks that may have holes: `expired()` (every flush) visits these, not the whole fleet. */
  readonly #withHoles = new Set<string>()

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number,
    /** Holes remembered per kiosk; a jump past this is reported missing at once. */
    private readonly maxMissing = 10_000,
  ) {}

  /** Notes a sequence number a kiosk sent; returns runs that are missing for certain already (huge jumps). */
  seen(kioskId: string, seq: number, retained = false): MissingRun[] {
    const stream = this.#streams.get(kioskId)
    if (retained) {
      if (stream === undefined) return []
      if (seq <= stream.high) stream.missing.delete(seq)
      else if (stream.ahead.size < this.maxMissing) stream.ahead.add(seq)
      return []
    }
    if (stream === undefined) {
      this.#streams.set(kioskId, { high: seq, missing: new Map(), ahead: new Set() })
      return []
    }
    if (seq <= stream.high) {
      stream.missing.delete(seq)
      return []
    }
    const from = stream.high + 1
    stream.high = seq
    stream.ahead.delete(seq)
    if (seq - from > this.maxMissing - stream.missing.size) {
      stream.ahead.clear()
      return [{ kioskId, from, to: seq - 1 }]
    }
    const at = this.now()
    for (let s = from; s < seq; s++) {
      if (!stream.ahead.delete(s)) stream.missing.set(s, at)
    }
    if (stream.missing.size > 0) this.#withHoles.add(kioskId)
    return []
  }

  /** Numbers missed longer than the grace period, as runs, forgotten once reported. */
  expired(): MissingRun[] {
    const limit = this.now() - this.graceMs
    const runs: MissingRun[] = []
    for (const kioskId of this.#withHoles) {
      const stream = this.#streams.get(kioskId) as KioskStream
      // A Map iterates in insertion order, and holes are inserted as they are missed: oldest first.
      const gone: number[] = []
      for (const [seq, at] of stream.missing) {
        if (at > limit) break
        gone.push(seq)
      }
      gone.sort((a, b) => a - b)
      for (const seq of gone) {
        stream.missing.delete(seq)
        const last = runs.at(-1)
        if (last?.kioskId === kioskId && last.to === seq - 1) last.to = seq
        else runs.push({ kioskId, from: seq, to: seq })
      }
      if (stream.missing.size === 0) this.#withHoles.delete(kioskId)
    }
    return runs
  }
}

/**
 * When a kiosk's printer runs out of paper, from the counters its agent reports in health (never
 * anything of a citizen): a monotonic count of paper used, and the agent's estimate of what is left
 * in the printer, which the agent resets when paper is loaded (a roll or tray refill seen as the
 * paper status going back to full). The capacity (roll length, tray sheets) is the printer's
 * configuration on the kiosk (its registry defaults per model); the fleet only extrapolates.
 */

/** The counters of each kind of printer paper (kiosk agent health, docs/operations.md "Paper forecast"). */
export const PAPER_COUNTERS = {
  /** ESC/POS receipt printers: millimetres of roll used, and left on the loaded roll. */
  receipt: { used: 'paperMm', remaining: 'paperRemainingMm', unit: 'mm' },
  /** A4 (IPP) printers: sheets printed, and left in the trays since the last refill. */
  a4: { used: 'sheetsPrinted', remaining: 'sheetsRemaining', unit: 'sheets' },
} as const
export type PaperKind = keyof typeof PAPER_COUNTERS
export type PaperUnit = (typeof PAPER_COUNTERS)[PaperKind]['unit']

const DAY_MS = 86_400_000

/** A printer's counters at one health snapshot. */
export interface CounterSample {
  at: number
  counters: Readonly<Record<string, number>>
}

export interface PaperForecastInput {
  latest: CounterSample
  /** The oldest snapshot of the look-back period (e.g. 7 days), the start of the usage rate. */
  baseline: CounterSample | undefined
  /** The printer's paper status now (`out` and `jammed` mean nothing prints: 0 days). */
  paper?: string | undefined
  /** A rate needs at least this much history (default one day), or a burst would be extrapolated. */
  minSpanMs?: number
}

export interface PaperForecast {
  kind: PaperKind
  unit: PaperUnit
  /** What the agent estimates is left (0 when the printer reports paper out). */
  remaining: number
  /** Paper used per day over the look-back period; null without enough history, or after a counter reset. */
  usedPerDay: number | null
  /** Days until empty at that rate: 0 when out, null when unknown or nothing is used. */
  daysLeft: number | null
  /** When it runs out at that rate (ms), null when `daysLeft` is. */
  emptyAt: number | null
}

/** The forecast of one printer, or undefined when its agent reports no remaining-paper counter. */
export function forecastPaper(input: PaperForecastInput): PaperForecast | undefined {
  const kind = (Object.keys(PAPER_COUNTERS) as PaperKind[]).find(
    (k) => input.latest.counters[PAPER_COUNTERS[k].remaining] !== undefined,
  )
  if (kind === undefined) return undefined
  const { used, remaining: remainingKey, unit } = PAPER_COUNTERS[kind]
  const empty = input.paper === 'out' || input.paper === 'jammed'
  const remaining = empty ? 0 : Math.max(0, input.latest.counters[remainingKey] ?? 0)
  const usedPerDay = rate(input.latest, input.baseline, used, input.minSpanMs ?? DAY_MS)
  const daysLeft = remaining === 0 ? 0 : usedPerDay === null || usedPerDay <= 0 ? null : remaining / usedPerDay
  return {
    kind,
    unit,
    remaining,
    usedPerDay,
    daysLeft,
    emptyAt: daysLeft === null ? null : input.latest.at + daysLeft * DAY_MS,
  }
}

function rate(latest: CounterSample, baseline: CounterSample | undefined, key: string, minSpanMs: number) {
  const now = latest.counters[key]
  const before = baseline?.counters[key]
  if (baseline === undefined || now === undefined || before === undefined) return null
  const span = latest.at - baseline.at
  // A counter that went backwards was reset (agent restart): the usage since is not known.
  if (span < minSpanMs || now < before) return null
  return ((now - before) / span) * DAY_MS
}

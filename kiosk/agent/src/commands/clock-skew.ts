/** How far apart two clocks may be before the kiosk calls its own clock wrong. */
export const SKEW_TOLERANCE_MS = 60_000
/**
 * Messages a broker kept for the kiosk while it was away arrive right after it connects; a request
 * arriving later than this after the connect was published after it.
 */
export const SETTLE_MS = 30_000

export interface SkewEvidence {
  /** The kiosk's wall clock now. */
  now: number
  /** The fleet's wall clock when it sent the request. */
  issuedAt: number
  /** How long the current MQTT connection has been up, on a monotonic clock (undefined: not connected). */
  linkAgeMs: number | undefined
}

/**
 * By how much the kiosk's clock is at least ahead of the fleet's (positive) or behind it (negative),
 * judged from one request, or undefined when the request does not show it. A request issued in the
 * future is proof of a clock behind. A request that looks older than the connection it arrived on
 * (and did not arrive in the burst right after connecting, when kept messages are delivered) cannot
 * be that old: the kiosk's clock runs ahead by at least the difference. Without that proof an old
 * request is just expired (it may have waited in the broker while the kiosk was away).
 */
export function clockSkewOf(e: SkewEvidence): number | undefined {
  if (e.issuedAt - e.now > SKEW_TOLERANCE_MS) return e.now - e.issuedAt
  if (e.linkAgeMs === undefined || e.linkAgeMs < SETTLE_MS) return undefined
  const apparentAge = e.now - e.issuedAt
  return apparentAge > e.linkAgeMs + SKEW_TOLERANCE_MS ? apparentAge - e.linkAgeMs : undefined
}

/** '3 d 4 h', '12 min', for messages. */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms)
  const d = Math.floor(abs / 86_400_000)
  const h = Math.floor((abs % 86_400_000) / 3_600_000)
  const m = Math.floor((abs % 3_600_000) / 60_000)
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`
}

import type { IdCardType, IdentityCard } from '@drivers/core'

/** Why a card was refused; the UI turns the reason into words, the agent logs only the reason. */
export type CardRefusal = 'expired' | 'notYetValid' | 'unreadableDates' | 'typeNotAccepted'

export type CardValidity = { ok: true } | { ok: false; reason: CardRefusal }

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** `YYYY-MM-DD` → the calendar day as a number (UTC midnight ms), or undefined for other text. */
function dayOf(date: string): number | undefined {
  const m = DATE.exec(date)
  if (!m) return undefined
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  const back = new Date(ms)
  return back.getUTCMonth() === Number(m[2]) - 1 && back.getUTCDate() === Number(m[3]) ? ms : undefined
}

/** Today's calendar day in China (cards are dated in Beijing time, UTC+8, no DST). */
function chinaDay(now: Date): number {
  const shifted = new Date(now.getTime() + 8 * 3_600_000)
  return Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate())
}

/**
 * Whether a card may identify its holder for a service today: its type is accepted, and today
 * lies within validFrom..validTo inclusive (a card is valid on its expiry date; `long-term` never
 * expires). Dates the reader could not parse refuse the card rather than guess. Pure.
 */
export function checkCardValidity(
  card: Pick<IdentityCard, 'cardType' | 'validFrom' | 'validTo'>,
  acceptedTypes: readonly IdCardType[],
  now: Date,
): CardValidity {
  if (!acceptedTypes.includes(card.cardType)) return { ok: false, reason: 'typeNotAccepted' }
  const today = chinaDay(now)
  const from = dayOf(card.validFrom)
  if (from === undefined) return { ok: false, reason: 'unreadableDates' }
  if (today < from) return { ok: false, reason: 'notYetValid' }
  if (card.validTo === 'long-term') return { ok: true }
  const to = dayOf(card.validTo)
  if (to === undefined) return { ok: false, reason: 'unreadableDates' }
  return today > to ? { ok: false, reason: 'expired' } : { ok: true }
}

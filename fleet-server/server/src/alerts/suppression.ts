import type { MaintenanceSchedule } from '@kiosk-fleet/protocol'
import type { AlertRuleId, KioskSnapshot } from './alert-rules.ts'
import { siteOpenness } from './opening-hours.ts'

/** A silence as the engine matches it (alert_silences row, active). */
export interface ActiveSilence {
  id: number
  kioskId: string | null
  siteId: string | null
  rule: string | null
  expiresAt: number
}

/**
 * Why a condition is not raised now, and until when (the engine wakes up then):
 * - `silenced`: a silence matches (kiosk, site, rule; all given must match) until it expires;
 * - `maintenance`: the kiosk reports maintenance mode (`enter-maintenance`), until it leaves it;
 * - `closure`: the site is closed all day (a public holiday or its own planned closure);
 * - `closed`: outside the site's opening hours a switched-off kiosk is closed, not offline.
 */
export type Suppression =
  | { reason: 'silenced'; until: number; silenceId: number }
  | { reason: 'maintenance' | 'closure' | 'closed'; until?: number }

export interface SuppressionContext {
  now: number
  silences: readonly ActiveSilence[]
  /** The kiosk's site schedule (rollouts/schedule.ts buildSchedule), undefined for no site. */
  schedule: MaintenanceSchedule | undefined
}

export function silenceFor(
  silences: readonly ActiveSilence[],
  k: Pick<KioskSnapshot, 'id' | 'siteId'>,
  rule: string,
): ActiveSilence | undefined {
  return silences.find(
    (s) =>
      (s.kioskId === null || s.kioskId === k.id) &&
      (s.siteId === null || s.siteId === k.siteId) &&
      (s.rule === null || s.rule === rule),
  )
}

/** The suppression of `rule` on kiosk `k` at `ctx.now`, or undefined when it may be raised. */
export function suppressionOf(k: KioskSnapshot, rule: AlertRuleId, ctx: SuppressionContext): Suppression | undefined {
  const silence = silenceFor(ctx.silences, k, rule)
  if (silence !== undefined) return { reason: 'silenced', until: silence.expiresAt, silenceId: silence.id }
  // Also while it reboots or is switched off by the technician: its last word was maintenance.
  if (k.health?.mode === 'maintenance') return { reason: 'maintenance' }
  if (ctx.schedule === undefined) return undefined
  const site = siteOpenness(ctx.now, ctx.schedule)
  if (site.closedAllDay) return { reason: 'closure', ...(site.opensAt === undefined ? {} : { until: site.opensAt }) }
  if (rule === 'kioskOffline' && !site.open)
    return { reason: 'closed', ...(site.opensAt === undefined ? {} : { until: site.opensAt }) }
  return undefined
}

/** When the site opened, for the offline grace after opening (a kiosk switched on at 08:58 is fine). */
export function openedAt(now: number, schedule: MaintenanceSchedule | undefined): number | undefined {
  return schedule === undefined ? undefined : siteOpenness(now, schedule).openedAt
}

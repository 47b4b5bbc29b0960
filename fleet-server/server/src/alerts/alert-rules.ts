import type { HealthPayload } from '@kiosk-fleet/protocol'
import type { PaperForecast } from '../paper/paper-forecast.ts'

/** The alert rules of the fleet (README.md "Alerts"): each is a pure condition over a kiosk's latest state. */
export const ALERT_RULES = [
  'kioskOffline',
  'deviceFault',
  'paperOut',
  'paperLow',
  'paperForecast',
  'samErrors',
  'serviceUnavailable',
  'outboxBacklog',
  'updateMetadataStale',
  'messagesMissing',
] as const
export type AlertRuleId = (typeof ALERT_RULES)[number]
export type Severity = 'info' | 'warning' | 'critical'

export interface RuleSettings {
  enabled: boolean
  severity: Severity
  /** The condition must hold this long before the alert is raised (no flapping on the way up). */
  raiseAfterMs: number
  /** …and must be gone this long before it clears (no flapping on the way down). */
  clearAfterMs: number
  /** A latched alert stays until acknowledged even after its condition cleared. */
  latched: boolean
  /** Rule-specific threshold: SAM errors per hour, outbox records, days of paper left. */
  threshold: number
}

export interface RuleOverride {
  rule: AlertRuleId
  machineType?: string | undefined
  deviceClass?: string | undefined
  settings: Partial<RuleSettings>
}

export interface AlertPolicy {
  rules: Record<AlertRuleId, RuleSettings>
  overrides: RuleOverride[]
  /** A kiosk that sent no health for this many health intervals counts as offline. */
  missedHealthFactor: number
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  rules: {
    kioskOffline: {
      enabled: true,
      severity: 'critical',
      raiseAfterMs: 5 * 60_000,
      clearAfterMs: 0,
      latched: false,
      threshold: 0,
    },
    deviceFault: {
      enabled: true,
      severity: 'critical',
      raiseAfterMs: 60_000,
      clearAfterMs: 30_000,
      latched: false,
      threshold: 0,
    },
    paperOut: { enabled: true, severity: 'critical', raiseAfterMs: 0, clearAfterMs: 0, latched: false, threshold: 0 },
    paperLow: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 0,
      clearAfterMs: 60_000,
      latched: false,
      threshold: 0,
    },
    // Paper runs out within `threshold` days at the week's rate (paper/paper-forecast.ts): time to
    // send someone with paper before the printer stops. The forecast moves with every print, so
    // clearing waits an hour.
    paperForecast: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 0,
      clearAfterMs: 60 * 60_000,
      latched: false,
      threshold: 3,
    },
    samErrors: { enabled: true, severity: 'warning', raiseAfterMs: 0, clearAfterMs: 0, latched: true, threshold: 5 },
    serviceUnavailable: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 2 * 60_000,
      clearAfterMs: 30_000,
      latched: false,
      threshold: 0,
    },
    outboxBacklog: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 0,
      clearAfterMs: 60_000,
      latched: false,
      threshold: 500,
    },
    // The kiosk's trusted TUF timestamp expired: it installs nothing until it refreshes (docs/updates.md).
    updateMetadataStale: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 60 * 60_000,
      clearAfterMs: 0,
      latched: false,
      threshold: 0,
    },
    // Messages the kiosk sent never reached the fleet (a broker dropped them, or the kiosk lost its
    // outbox): latched, so someone looks even after it stopped.
    messagesMissing: {
      enabled: true,
      severity: 'warning',
      raiseAfterMs: 0,
      clearAfterMs: 0,
      latched: true,
      threshold: 0,
    },
  },
  overrides: [],
  missedHealthFactor: 2.5,
}

/** Settings of a rule for one machine type and peripheral class: defaults, then matching overrides in order. */
export function settingsFor(
  policy: AlertPolicy,
  rule: AlertRuleId,
  machineType: string | null,
  deviceClass?: string | null,
): RuleSettings {
  let settings = policy.rules[rule]
  for (const o of policy.overrides) {
    if (o.rule !== rule) continue
    if (o.machineType !== undefined && o.machineType !== machineType) continue
    if (o.deviceClass !== undefined && o.deviceClass !== deviceClass) continue
    settings = { ...settings, ...o.settings }
  }
  return settings
}

export interface PeripheralSnapshot {
  deviceId: string
  deviceClass: string | null
  status: { state?: string; paper?: string; cover?: string; errorCode?: string } | null
  counters: Record<string, number> | null
}

export interface KioskSnapshot {
  id: string
  machineType: string | null
  department: string | null
  siteId: string | null
  state: string
  stateChangedAt: number | null
  lastSeenAt: number | null
  healthIntervalMs: number | null
  health: HealthPayload | null
  peripherals: PeripheralSnapshot[]
  /** Per reader device id: SAM errors counted in the last hour (from health history). */
  samErrorsLastHour: Record<string, number>
  /** Messages of this kiosk that never arrived (ingest/seq-gaps.ts), and when that was last seen. */
  missingMessages?: number
  missingAt?: number | null
  /** Per printer device id that reports paper counters: when its paper runs out. */
  paperForecasts?: Record<string, PaperForecast>
}

export interface Condition {
  rule: AlertRuleId
  kioskId: string
  /** Peripheral id, `service:{id}` for a service, or '' for the kiosk itself. */
  deviceId: string
  settings: RuleSettings
  message: string
  /** When the condition began, if the data says (offline since…); otherwise "now". */
  since?: number
}

/** A kiosk's missing messages raise `messagesMissing` for this long after they were noticed (it is latched). */
const MISSING_WINDOW_MS = 60 * 60_000

const FAULT_STATES = new Set(['hardwareError', 'noDevice', 'offline', 'powerOff'])

/** When a kiosk counts as offline: its Last Will, or a missed-health deadline, whichever is known. */
export function offlineSince(k: KioskSnapshot, policy: AlertPolicy): number | undefined {
  if (k.state === 'offline') return k.stateChangedAt ?? undefined
  return silentDeadline(k, policy)
}

/** The instant an online kiosk becomes silent if nothing arrives before (exact, not polled). */
export function silentDeadline(k: KioskSnapshot, policy: AlertPolicy): number | undefined {
  if (k.state !== 'online' || k.lastSeenAt === null || k.healthIntervalMs === null) return undefined
  return k.lastSeenAt + policy.missedHealthFactor * k.healthIntervalMs
}

/** Every condition that holds for a kiosk at `now`. */
export function conditionsOf(k: KioskSnapshot, policy: AlertPolicy, now: number): Condition[] {
  const out: Condition[] = []
  const add = (rule: AlertRuleId, deviceId: string, deviceClass: string | null, message: string, since?: number) => {
    const settings = settingsFor(policy, rule, k.machineType, deviceClass)
    if (settings.enabled)
      out.push({ rule, kioskId: k.id, deviceId, settings, message, ...(since === undefined ? {} : { since }) })
  }
  const offline = offlineSince(k, policy)
  if (offline !== undefined && offline <= now) {
    const how = k.state === 'offline' ? 'Last Will / shutdown' : 'no health received'
    add('kioskOffline', '', null, `kiosk offline since ${new Date(offline).toISOString()} (${how})`, offline)
    // A silent kiosk's peripheral statuses are stale: judge them again when it is back.
    return out
  }
  for (const p of k.peripherals) {
    const s = p.status
    if (s === null) continue
    if (s.state !== undefined && FAULT_STATES.has(s.state)) {
      add('deviceFault', p.deviceId, p.deviceClass, `${p.deviceId} ${s.state}${s.errorCode ? ` (${s.errorCode})` : ''}`)
    }
    if (s.paper === 'out' || s.paper === 'jammed')
      add('paperOut', p.deviceId, p.deviceClass, `${p.deviceId} paper ${s.paper}`)
    else if (s.paper === 'low') add('paperLow', p.deviceId, p.deviceClass, `${p.deviceId} paper low`)
    const forecast = k.paperForecasts?.[p.deviceId]
    const forecastDays = settingsFor(policy, 'paperForecast', k.machineType, p.deviceClass).threshold
    // Out of paper already is paperOut's; this one warns before.
    if (forecast?.daysLeft != null && forecast.daysLeft > 0 && forecast.daysLeft < forecastDays) {
      const perDay = Math.round(forecast.usedPerDay ?? 0)
      add(
        'paperForecast',
        p.deviceId,
        p.deviceClass,
        `${p.deviceId} runs out of paper in about ${forecast.daysLeft.toFixed(1)} days (${forecast.remaining} ${forecast.unit} left, ${perDay} ${forecast.unit} a day)`,
      )
    }
    const sam = k.samErrorsLastHour[p.deviceId] ?? 0
    const samSettings = settingsFor(policy, 'samErrors', k.machineType, p.deviceClass)
    if (sam > samSettings.threshold)
      add('samErrors', p.deviceId, p.deviceClass, `${p.deviceId} ${sam} SAM errors in the last hour`)
  }
  for (const service of k.health?.services ?? []) {
    if (service.available) continue
    // The kiosk says why: a peripheral, or the department's gateway failing (its circuit is open).
    const cause =
      service.reason === 'gatewayDown'
        ? ' (department gateway failing)'
        : service.reason === 'identityUnavailable'
          ? ' (identity check unavailable)'
          : service.blockedBy.length > 0
            ? ` (blocked by ${service.blockedBy.join(', ')})`
            : ''
    add('serviceUnavailable', `service:${service.serviceId}`, null, `service ${service.serviceId} unavailable${cause}`)
  }
  const pending = k.health?.outbox.pending ?? 0
  if (pending > settingsFor(policy, 'outboxBacklog', k.machineType).threshold) {
    add('outboxBacklog', '', null, `${pending} messages waiting in the kiosk's outbox`)
  }
  if (k.missingAt != null && now - k.missingAt < MISSING_WINDOW_MS) {
    const n = k.missingMessages ?? 0
    if (n > settingsFor(policy, 'messagesMissing', k.machineType).threshold) {
      add(
        'messagesMissing',
        '',
        null,
        `${n} message(s) of this kiosk never reached the fleet (last ${new Date(k.missingAt).toISOString()}): a broker dropped them or the kiosk lost its outbox`,
        k.missingAt,
      )
    }
  }
  const updates = k.health?.updates
  if (updates?.metadataStale === true) {
    const expired =
      updates.metadataExpires === undefined ? '' : ` (expired ${new Date(updates.metadataExpires).toISOString()})`
    add('updateMetadataStale', '', null, `update metadata is stale${expired}: nothing installs until it refreshes`)
  }
  return out
}

import { type HealthPayload, sampleHealth } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'
import { conditionsOf, DEFAULT_ALERT_POLICY, type KioskSnapshot } from './alert-rules.ts'

const NOW = Date.UTC(2026, 10, 24, 3, 0, 0)

function kiosk(updates?: NonNullable<HealthPayload['updates']>) {
  const health = {
    ...sampleHealth({ ts: NOW }),
    services: [],
    peripherals: [],
    ...(updates === undefined ? {} : { updates }),
  }
  return {
    id: 'k1',
    machineType: 'id',
    department: 'gongan',
    siteId: 's1',
    state: 'online',
    stateChangedAt: NOW - 60_000,
    lastSeenAt: NOW,
    healthIntervalMs: 30_000,
    health,
    peripherals: [],
    samErrorsLastHour: {},
  } satisfies KioskSnapshot
}

describe('updateMetadataStale rule', () => {
  it('holds while the kiosk reports stale TUF metadata, naming when it expired', () => {
    const expires = NOW - 2 * 3_600_000
    const conditions = conditionsOf(kiosk({ metadataStale: true, metadataExpires: expires }), DEFAULT_ALERT_POLICY, NOW)
    const stale = conditions.filter((c) => c.rule === 'updateMetadataStale')
    expect(stale).toHaveLength(1)
    expect(stale[0]?.message).toContain(new Date(expires).toISOString())
    expect(stale[0]?.settings.severity).toBe('warning')
  })

  it('does not hold for fresh metadata or a kiosk without an update agent', () => {
    const fresh = conditionsOf(kiosk({ metadataStale: false, metadataExpires: NOW + 1 }), DEFAULT_ALERT_POLICY, NOW)
    const none = conditionsOf(kiosk(), DEFAULT_ALERT_POLICY, NOW)
    expect([...fresh, ...none].some((c) => c.rule === 'updateMetadataStale')).toBe(false)
  })
})

describe('serviceUnavailable rule', () => {
  it("names the department gateway when that is the kiosk's reason, one alert per service", () => {
    const k = kiosk()
    const health = {
      ...k.health,
      services: [
        { serviceId: 'hf-account-info', available: false, blockedBy: [], reason: 'gatewayDown' as const },
        { serviceId: 'id-receipt', available: false, blockedBy: ['receipt'], reason: 'peripheral' as const },
        { serviceId: 'id-progress', available: true, blockedBy: [] },
      ],
    }
    const conditions = conditionsOf({ ...k, health }, DEFAULT_ALERT_POLICY, NOW).filter(
      (c) => c.rule === 'serviceUnavailable',
    )
    expect(conditions.map((c) => c.message).sort()).toEqual([
      'service hf-account-info unavailable (department gateway failing)',
      'service id-receipt unavailable (blocked by receipt)',
    ])
  })
})

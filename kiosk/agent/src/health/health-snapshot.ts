import { loadavg } from 'node:os'
import type { HealthPayload, ServiceAvailability } from '@kiosk-fleet/protocol'
import type { Peripheral } from '../devices/peripheral.ts'

export interface HealthSources {
  startedAt: number
  peripherals: Peripheral[]
  /** Availability of every offered service (devices, gateway circuits, identity). */
  services: () => ServiceAvailability[]
  outbox: { pendingCount: number; oldestPendingTs: number | undefined }
  mode: () => HealthPayload['mode']
  /** Citizen transactions per service and outcome (counts only). */
  transactions?: () => NonNullable<HealthPayload['transactions']>
  /** The update agent's freshness and deployment (absent when updates are disabled). */
  updates?: () => NonNullable<HealthPayload['updates']>
}

/** Builds a health snapshot from live sources: statuses, counters and availability, never personal data. */
export function buildHealth(sources: HealthSources, seq: number, now = Date.now()): HealthPayload {
  const oldest = sources.outbox.oldestPendingTs
  return {
    seq,
    ts: now,
    uptimeS: Math.max(0, Math.floor((now - sources.startedAt) / 1000)),
    mode: sources.mode(),
    peripherals: sources.peripherals.map((p) => ({ deviceId: p.deviceId, status: p.status(), counters: p.counters() })),
    services: sources.services(),
    ...(sources.transactions ? { transactions: sources.transactions() } : {}),
    ...(sources.updates ? { updates: sources.updates() } : {}),
    outbox:
      oldest === undefined
        ? { pending: sources.outbox.pendingCount }
        : { pending: sources.outbox.pendingCount, oldestTs: oldest },
    system: {
      rssMb: Math.round((process.memoryUsage.rss() / 1024 / 1024) * 10) / 10,
      load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    },
  }
}

import type {
  BirthPayload,
  DeploymentStatusPayload,
  DeviceStatusEvent,
  DeviceStatusPayload,
  HealthPayload,
  StatePayload,
} from '@kiosk-fleet/protocol'

/** Validated messages waiting to be written together, each with the kiosk it came from. */
export interface IngestBatch {
  births: { kioskId: string; payload: BirthPayload; receivedAt: number }[]
  states: { kioskId: string; payload: StatePayload; receivedAt: number }[]
  /** `raw` is the payload's JSON text as received and validated, stored without re-serializing. */
  health: { kioskId: string; payload: HealthPayload; receivedAt: number; raw?: string }[]
  deviceStatuses: { kioskId: string; payload: DeviceStatusPayload; receivedAt: number }[]
  events: { kioskId: string; type: string; payload: DeviceStatusEvent | DeploymentStatusPayload; receivedAt: number }[]
}

export function emptyBatch(): IngestBatch {
  return { births: [], states: [], health: [], deviceStatuses: [], events: [] }
}

export function batchSize(batch: IngestBatch): number {
  return (
    batch.births.length + batch.states.length + batch.health.length + batch.deviceStatuses.length + batch.events.length
  )
}

/** Keeps, per key, only the item with the largest `rank` (later items win ties). */
export function latestBy<T>(items: T[], key: (item: T) => string, rank: (item: T) => number): T[] {
  const best = new Map<string, T>()
  for (const item of items) {
    const k = key(item)
    const current = best.get(k)
    if (current === undefined || rank(item) >= rank(current)) best.set(k, item)
  }
  return [...best.values()]
}

import type { DeviceCounters, DeviceIdentity, DeviceStatus } from '@drivers/core'

/** What the agent needs from any peripheral, whatever its driver: identity, live status, counters. */
export interface Peripheral {
  readonly deviceId: string
  readonly identity: DeviceIdentity
  status(): DeviceStatus
  counters(): DeviceCounters
  onStatusChanged(listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void
  start(): Promise<void>
  stop(): Promise<void>
}

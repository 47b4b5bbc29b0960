import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import type { Peripheral } from '../devices/peripheral.ts'
import type { KioskActivity } from './update-gate.ts'

/** One deployment report without seq/ts (the outbox adds seq, the publisher ts). */
export type DeploymentReport = Omit<DeploymentStatusPayload, 'seq' | 'ts'>

/**
 * Everything the update agent needs from the kiosk it runs in, as one port (Mender's state
 * machine talks to one device interface): the devices it updates, what keeps it from installing,
 * the service hold while it installs, where reports go, and how the app is restarted and judged
 * healthy. The agent provides it (KioskUpdateHost); tests provide their own.
 */
export interface UpdateHost {
  /** The peripheral of a device model (registry model id, or vendor + model). */
  findDevice(ref: { vendor: string; model: string }): Peripheral | undefined
  deviceById(deviceId: string): Peripheral | undefined
  /** Live kiosk state for the install gate. */
  activity(): KioskActivity
  /**
   * Keeps citizen sessions from starting while installing (the UI shows out of service); called
   * in the same tick as the gate decision that let installing begin.
   */
  holdService(): void
  /** Ends a hold `holdService` began. */
  releaseService(): void
  /** Publishes a deployment report through the outbox. */
  publish(report: DeploymentReport): void
  /** Asks the supervisor to start the agent again (main.ts exits with 75). */
  restartAgent(): void
  /** Whether the running app is healthy: UI serving, fleet link up, every peripheral answered. */
  appHealthy(): Promise<boolean>
  /** The update section of health changed (freshness, phase). */
  healthChanged(): void
  /** The firmware/config inventory changed (birth should be sent again). */
  inventoryChanged(): void
}

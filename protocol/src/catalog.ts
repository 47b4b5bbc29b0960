import type { TSchema } from '@sinclair/typebox'
import { BirthPayload } from './schemas/birth.ts'
import { CommandRequests, CommandResponses, Commands } from './schemas/commands.ts'
import { DeploymentStatusPayload } from './schemas/deployment.ts'
import { DeviceStatusEvent, DeviceStatusPayload } from './schemas/device.ts'
import { HealthPayload } from './schemas/health.ts'
import { StatePayload } from './schemas/state.ts'

export interface MessageSpec {
  topic: string
  direction: 'kiosk→fleet' | 'fleet→kiosk' | 'broker (Last Will)'
  qos: 0 | 1
  retained: boolean
  schema: TSchema
  summary: string
}

/** Every message of the contract. The contract doc (docs/mqtt-contract.md) is generated from this table. */
export const MESSAGES: Record<string, MessageSpec> = {
  birth: {
    topic: 'kiosk/v1/{kioskId}/birth',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: true,
    schema: BirthPayload,
    summary: 'inventory on every connect and on `rebirth`: machine type, site, department, app version, peripherals',
  },
  state: {
    topic: 'kiosk/v1/{kioskId}/state',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: true,
    schema: StatePayload,
    summary: '`online` on connect; `offline` as the Last Will (broker) or on orderly shutdown (kiosk)',
  },
  health: {
    topic: 'kiosk/v1/{kioskId}/health',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: true,
    schema: HealthPayload,
    summary: 'periodic snapshot: peripheral statuses and counters, service availability, outbox, system',
  },
  deviceStatus: {
    topic: 'kiosk/v1/{kioskId}/devices/{deviceId}',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: true,
    schema: DeviceStatusPayload,
    summary: 'latest status of one peripheral',
  },
  deviceStatusEvent: {
    topic: 'kiosk/v1/{kioskId}/events/device-status',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: false,
    schema: DeviceStatusEvent,
    summary: 'report by exception, sent at once when a peripheral status changes',
  },
  deploymentStatus: {
    topic: 'kiosk/v1/{kioskId}/deployments/{deploymentId}',
    direction: 'kiosk→fleet',
    qos: 1,
    retained: false,
    schema: DeploymentStatusPayload,
    summary: 'every transition of the update state machine',
  },
  ...Object.fromEntries(
    Object.entries(Commands).flatMap(([name, command]) => [
      [
        `request:${name}`,
        {
          topic: `kiosk/v1/{kioskId}/req/${name}`,
          direction: 'fleet→kiosk',
          qos: 1,
          retained: false,
          schema: CommandRequests[name as keyof typeof CommandRequests],
          summary: command.summary,
        } satisfies MessageSpec,
      ],
      [
        `response:${name}`,
        {
          topic: `kiosk/v1/{kioskId}/res/${name}`,
          direction: 'kiosk→fleet',
          qos: 1,
          retained: false,
          schema: CommandResponses[name as keyof typeof CommandResponses],
          summary: `answer to \`${name}\`, echoing the transaction`,
        } satisfies MessageSpec,
      ],
    ]),
  ),
}

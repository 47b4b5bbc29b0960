import { AppError } from '@drivers/core'
import type { HealthPayload } from '@kiosk-fleet/protocol'
import { KioskErrorCodes } from '../errors.ts'
import type { KioskReporter } from '../mqtt/kiosk-reporter.ts'
import type { UpdateService } from '../updates/update-service.ts'
import type { CommandHandlers } from './command-dispatcher.ts'

type AgentCommand = 'ping' | 'get-health' | 'rebirth' | 'update' | 'cancel-update'

export interface AgentCommandOptions {
  appVersion: string
  reporter: Pick<KioskReporter, 'healthNow' | 'recordBirthAndStatuses'>
  /** Where the next outbox message will be numbered (`rebirth` answers it). */
  nextSeq: () => number
  /** The update agent; undefined when `updates.enabled` is false. */
  updates: UpdateService | undefined
}

/** Handlers of the fleet's own commands: liveness, health on demand, rebirth and updates. */
export function createAgentCommandHandlers(o: AgentCommandOptions): Pick<CommandHandlers, AgentCommand> {
  const updates = (): UpdateService => {
    if (o.updates === undefined) {
      throw new AppError(KioskErrorCodes.unsupported, 'this kiosk has no update agent configured')
    }
    return o.updates
  }
  return {
    ping: async () => ({ receivedAt: Date.now(), appVersion: o.appVersion }),
    'get-health': async (): Promise<HealthPayload> => o.reporter.healthNow(),
    rebirth: async () => {
      const seq = o.nextSeq()
      o.reporter.recordBirthAndStatuses()
      return { seq }
    },
    update: async (params) => updates().update(params),
    'cancel-update': async (params) => updates().cancel(params.deploymentId),
  }
}

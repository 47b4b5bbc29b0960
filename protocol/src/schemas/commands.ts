import { type Static, Type } from '@sinclair/typebox'
import { commandRequest, commandResponse } from './command.ts'
import { Sequence, Timestamp } from './common.ts'
import { HealthPayload } from './health.ts'

const NoParams = Type.Object({}, { additionalProperties: false })

/**
 * Every command a fleet-server may send a kiosk, with its request params and response data.
 * Adding a command means adding an entry here; both ends and the contract doc follow.
 */
export const Commands = {
  ping: {
    summary: 'liveness round trip through the agent',
    params: NoParams,
    data: Type.Object({ receivedAt: Timestamp, appVersion: Type.String() }, { additionalProperties: false }),
  },
  'get-health': {
    summary: 'a fresh health snapshot, outside the periodic schedule',
    params: NoParams,
    data: HealthPayload,
  },
  rebirth: {
    summary: 'republish birth, state and device statuses (the server saw a gap or an unknown kiosk)',
    params: NoParams,
    data: Type.Object({ seq: Sequence }, { additionalProperties: false }),
  },
} as const

export type CommandName = keyof typeof Commands
export const COMMAND_NAMES = Object.keys(Commands) as CommandName[]

export function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(Commands, value)
}

export const CommandRequests = {
  ping: commandRequest(Commands.ping.params),
  'get-health': commandRequest(Commands['get-health'].params),
  rebirth: commandRequest(Commands.rebirth.params),
} as const

export const CommandResponses = {
  ping: commandResponse(Commands.ping.data),
  'get-health': commandResponse(Commands['get-health'].data),
  rebirth: commandResponse(Commands.rebirth.data),
} as const

export type CommandRequest<C extends CommandName> = Static<(typeof CommandRequests)[C]>
export type CommandResponse<C extends CommandName> = Static<(typeof CommandResponses)[C]>
export type CommandParams<C extends CommandName> = Static<(typeof Commands)[C]['params']>
export type CommandData<C extends CommandName> = Static<(typeof Commands)[C]['data']>

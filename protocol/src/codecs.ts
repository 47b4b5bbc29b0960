import { PayloadCodec } from './codec.ts'
import { BirthPayload } from './schemas/birth.ts'
import { type CommandName, CommandRequests, CommandResponses } from './schemas/commands.ts'
import { DeploymentStatusPayload } from './schemas/deployment.ts'
import { DeviceStatusEvent, DeviceStatusPayload } from './schemas/device.ts'
import { HealthPayload } from './schemas/health.ts'
import { StatePayload } from './schemas/state.ts'

/**
 * Compiled codecs for every payload of the contract. Built by the composition root of each app
 * (compiling takes a few milliseconds) and passed to whoever needs it.
 */
export function createCodecs() {
  const requests = {} as { [C in CommandName]: PayloadCodec<(typeof CommandRequests)[C]> }
  const responses = {} as { [C in CommandName]: PayloadCodec<(typeof CommandResponses)[C]> }
  for (const name of Object.keys(CommandRequests) as CommandName[]) {
    ;(requests as Record<string, unknown>)[name] = new PayloadCodec(CommandRequests[name])
    ;(responses as Record<string, unknown>)[name] = new PayloadCodec(CommandResponses[name])
  }
  return {
    birth: new PayloadCodec(BirthPayload),
    state: new PayloadCodec(StatePayload),
    health: new PayloadCodec(HealthPayload),
    deviceStatus: new PayloadCodec(DeviceStatusPayload),
    deviceStatusEvent: new PayloadCodec(DeviceStatusEvent),
    deploymentStatus: new PayloadCodec(DeploymentStatusPayload),
    requests,
    responses,
  }
}

export type Codecs = ReturnType<typeof createCodecs>

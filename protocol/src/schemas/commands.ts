import { type Static, Type } from '@sinclair/typebox'
import { commandRequest, commandResponse } from './command.ts'
import { DeviceState, Id, Sequence, Timestamp } from './common.ts'
import { HealthPayload } from './health.ts'
import { ScreenshotData, ScreenshotParams } from './screenshot.ts'
import { CancelUpdateData, CancelUpdateParams, UpdateAccepted, UpdateParams } from './updates.ts'

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
  'restart-agent': {
    summary: 'answer, then exit so the supervisor (systemd, the shell) starts the agent again',
    params: NoParams,
    data: Type.Object({ restartInMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  reboot: {
    summary: "answer, then run the kiosk's configured reboot command (refused when none is configured)",
    params: NoParams,
    data: Type.Object({ rebootInMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  'self-test': {
    summary: "each peripheral's self-test (where its driver has one) and resulting status",
    params: NoParams,
    data: Type.Object(
      {
        results: Type.Array(
          Type.Object(
            {
              deviceId: Id,
              ok: Type.Boolean(),
              state: DeviceState,
              errorCode: Type.Optional(Type.String({ maxLength: 48 })),
            },
            { additionalProperties: false },
          ),
          { maxItems: 32 },
        ),
      },
      { additionalProperties: false },
    ),
  },
  'print-test-page': {
    summary: 'print a test receipt on the receipt printer',
    params: NoParams,
    data: Type.Object({ deviceId: Id }, { additionalProperties: false }),
  },
  'enter-maintenance': {
    summary: 'take the kiosk out of citizen service (the UI shows out-of-service) until leave-maintenance',
    params: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    data: Type.Object({ mode: Type.Literal('maintenance') }, { additionalProperties: false }),
  },
  'leave-maintenance': {
    summary: 'return the kiosk to citizen service',
    params: NoParams,
    data: Type.Object(
      { mode: Type.Union([Type.Literal('inService'), Type.Literal('outOfService')]) },
      { additionalProperties: false },
    ),
  },
  'collect-logs': {
    summary: "the agent's recent log lines (already redacted; ID-number patterns scrubbed again)",
    params: Type.Object(
      { maxLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })) },
      { additionalProperties: false },
    ),
    data: Type.Object(
      {
        lines: Type.Array(Type.String({ maxLength: 8000 }), { maxItems: 2000 }),
        truncated: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  screenshot: {
    summary:
      "what the kiosk's screen shows, downscaled JPEG; refused (`taken: false, refused: 'sessionActive'`) while a citizen is served",
    params: ScreenshotParams,
    data: ScreenshotData,
  },
  update: {
    summary:
      'start (or resume) a deployment: refresh TUF metadata, download, verify, install at the gate; progress on deployments/{id}',
    params: UpdateParams,
    data: UpdateAccepted,
  },
  'cancel-update': {
    summary: 'abandon a deployment that has not begun installing (an aborted rollout)',
    params: CancelUpdateParams,
    data: CancelUpdateData,
  },
} as const

export type CommandName = keyof typeof Commands
export const COMMAND_NAMES = Object.keys(Commands) as CommandName[]

export function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(Commands, value)
}

type CommandSpec = (typeof Commands)[CommandName]

export const CommandRequests = Object.fromEntries(
  COMMAND_NAMES.map((c) => [c, commandRequest((Commands[c] as CommandSpec).params)]),
) as { [C in CommandName]: ReturnType<typeof commandRequest<(typeof Commands)[C]['params']>> }

export const CommandResponses = Object.fromEntries(
  COMMAND_NAMES.map((c) => [c, commandResponse((Commands[c] as CommandSpec).data)]),
) as { [C in CommandName]: ReturnType<typeof commandResponse<(typeof Commands)[C]['data']>> }

export type CommandRequest<C extends CommandName> = Static<(typeof CommandRequests)[C]>
export type CommandResponse<C extends CommandName> = Static<(typeof CommandResponses)[C]>
export type CommandParams<C extends CommandName> = Static<(typeof Commands)[C]['params']>
export type CommandData<C extends CommandName> = Static<(typeof Commands)[C]['data']>

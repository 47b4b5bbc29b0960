import { type Static, Type } from '@sinclair/typebox'
import { ErrorBody } from './errors.ts'

/**
 * Commands that take a kiosk out of citizen service or restart it. The API refuses them without
 * `confirm` (`ERR_FLEET_CONFIRMATION_REQUIRED`); the dashboard asks first and fleetctl wants `--yes`.
 */
export const DISRUPTIVE_COMMANDS = ['reboot', 'restart-agent', 'enter-maintenance'] as const

export function isDisruptiveCommand(command: string): boolean {
  return (DISRUPTIVE_COMMANDS as readonly string[]).includes(command)
}

/**
 * Where a command stands in the command log (`commands.status`): `queued` waits for an offline kiosk
 * to return, `expired` was still queued at its expiry; `sent` awaits the answer.
 */
export const COMMAND_STATUSES = ['queued', 'sent', 'ok', 'error', 'timeout', 'expired'] as const

/**
 * The confirmation of a disruptive command: `true`, or the id typed by the user (the kiosk's id for
 * one kiosk, the site's id for a site).
 */
export const CommandConfirm = Type.Optional(
  Type.Union([Type.Literal(true), Type.String({ minLength: 1, maxLength: 64 })], {
    description: 'required for disruptive commands: true, or the kiosk or site id',
  }),
)

/** The answer for one kiosk: its outcome, or `queued` when it was offline. */
export const CommandOutcomeView = Type.Object({
  transaction: Type.String(),
  status: Type.String({ description: 'ok, error, timeout or queued' }),
  data: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorBody),
  expiresAt: Type.Optional(Type.String({ description: 'queued: when the command expires unless the kiosk returns' })),
})
export type CommandOutcomeView = Static<typeof CommandOutcomeView>

/**
 * `POST /api/commands/{command}`: a site or a list of kiosks, exactly one of the two (one object, not a
 * union: the route's validator drops unknown properties, which would quietly pick one side).
 */
export const CommandTarget = Type.Object(
  {
    siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    kioskIds: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }), {
        minItems: 1,
        maxItems: 500,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
)
export type CommandTarget = Static<typeof CommandTarget>

export const BatchCommandResult = Type.Object({
  batch: Type.String(),
  command: Type.String(),
  summary: Type.Object({
    total: Type.Integer(),
    ok: Type.Integer(),
    error: Type.Integer(),
    timeout: Type.Integer(),
    queued: Type.Integer(),
  }),
  kiosks: Type.Array(Type.Object({ kioskId: Type.String(), ...CommandOutcomeView.properties })),
})
export type BatchCommandResult = Static<typeof BatchCommandResult>

/** One row of a kiosk's command log (`GET /api/kiosks/{id}/commands`). */
export const CommandRecordView = Type.Object({
  transaction: Type.String(),
  command: Type.String(),
  status: Type.String({ description: `one of ${COMMAND_STATUSES.join(', ')}` }),
  queued: Type.Boolean({ description: 'it was queued because the kiosk was offline' }),
  batch: Type.Union([Type.String(), Type.Null()]),
  requestedBy: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String(),
  expiresAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  respondedAt: Type.Union([Type.String(), Type.Null()]),
  response: Type.Unknown(),
})
export type CommandRecordView = Static<typeof CommandRecordView>

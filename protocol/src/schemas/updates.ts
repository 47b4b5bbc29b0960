import { type Static, Type } from '@sinclair/typebox'
import { Id, Timestamp } from './common.ts'

/**
 * What an artifact changes: the kiosk app (A/B release), a peripheral's firmware or its configuration,
 * or one department's part of the service catalogue (a `kiosk-catalogue-bundle/1` file).
 */
export const ArtifactKind = Type.Union([
  Type.Literal('app'),
  Type.Literal('firmware'),
  Type.Literal('config'),
  Type.Literal('catalogue'),
])
export type ArtifactKind = Static<typeof ArtifactKind>

/**
 * A TUF target path: `app/<version>/<file>`, `firmware/<vendor>/<model>/<file>`,
 * `config/<vendor>/<model>/<file>`, `catalogue/<department>/<file>`.
 */
export const TargetPath = Type.String({
  pattern: '^(app|firmware|config|catalogue)(/[A-Za-z0-9._-]+){2,3}$',
  maxLength: 256,
  description: 'TUF target path; the kiosk looks it up in verified metadata, never trusts the notification',
})

const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM local time' })
const LocalDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD local date' })

export const TimeRange = Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false })
export type TimeRange = Static<typeof TimeRange>

const DayHours = Type.Array(TimeRange, { maxItems: 4 })

/**
 * When a site is open to citizens, and so when it is not: a kiosk installs only inside `windows`, or
 * (when `closedDaysAllDay`) any time on a day the site is closed. Local time of the site (Asia/Shanghai).
 */
export const MaintenanceSchedule = Type.Object(
  {
    windows: Type.Array(TimeRange, { maxItems: 8, description: 'daily maintenance windows, e.g. 22:00–06:00' }),
    openingHours: Type.Object(
      {
        '0': Type.Optional(DayHours),
        '1': Type.Optional(DayHours),
        '2': Type.Optional(DayHours),
        '3': Type.Optional(DayHours),
        '4': Type.Optional(DayHours),
        '5': Type.Optional(DayHours),
        '6': Type.Optional(DayHours),
      },
      { additionalProperties: false, description: 'per weekday, 0 = Sunday; a missing day is closed' },
    ),
    holidays: Type.Array(LocalDate, { maxItems: 400, description: 'public holidays and site closures' }),
    makeUpWorkdays: Type.Optional(Type.Array(LocalDate, { maxItems: 60, description: '调休: weekend days worked' })),
    closedDaysAllDay: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type MaintenanceSchedule = Static<typeof MaintenanceSchedule>

/** Which peripheral a firmware or config artifact is for (the kiosk picks its device of that model). */
export const DeviceModelRef = Type.Object(
  {
    vendor: Type.String({ minLength: 1, maxLength: 64 }),
    model: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
)
export type DeviceModelRef = Static<typeof DeviceModelRef>

export const UpdateParams = Type.Object(
  {
    deploymentId: Id,
    kind: ArtifactKind,
    target: TargetPath,
    version: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._+-]+$' }),
    device: Type.Optional(DeviceModelRef),
    install: Type.Object(
      {
        mode: Type.Union([Type.Literal('window'), Type.Literal('immediate')], {
          description: 'window: download now, install inside the maintenance schedule; immediate: as soon as idle',
        }),
        schedule: Type.Optional(MaintenanceSchedule),
      },
      { additionalProperties: false },
    ),
    /** The kiosk gives up (reports failure ERR_KIOSK_UPDATE_DEADLINE) when not installed by then. */
    deadline: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
)
export type UpdateParams = Static<typeof UpdateParams>

export const UpdateAccepted = Type.Object(
  {
    deploymentId: Id,
    outcome: Type.Union([
      Type.Literal('accepted'),
      Type.Literal('alreadyInstalled'),
      Type.Literal('inProgress'),
      Type.Literal('resumed'),
    ]),
  },
  { additionalProperties: false },
)

export const CancelUpdateParams = Type.Object({ deploymentId: Id }, { additionalProperties: false })
export const CancelUpdateData = Type.Object(
  {
    deploymentId: Id,
    outcome: Type.Union([Type.Literal('cancelled'), Type.Literal('tooLate'), Type.Literal('unknown')], {
      description: 'tooLate: installing had begun, the deployment runs to its end (success or rollback)',
    }),
  },
  { additionalProperties: false },
)

/** Why an install is waiting (reported with state `downloaded`). */
export const GateBlock = Type.Union([
  Type.Literal('sessionActive'),
  Type.Literal('cardInReader'),
  Type.Literal('paperInPath'),
  Type.Literal('outsideWindow'),
  Type.Literal('metadataStale'),
])
export type GateBlock = Static<typeof GateBlock>

/** The kiosk's update agent, in every health snapshot: lets the fleet see stale TUF metadata. */
export const UpdateAgentHealth = Type.Object(
  {
    metadataExpires: Type.Optional(Timestamp),
    metadataStale: Type.Boolean({ description: 'the trusted timestamp expired: nothing installs until a refresh' }),
    lastRefreshTs: Type.Optional(Timestamp),
    deploymentId: Type.Optional(Id),
    phase: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
)
export type UpdateAgentHealth = Static<typeof UpdateAgentHealth>

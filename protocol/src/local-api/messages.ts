import { type Static, Type } from '@sinclair/typebox'
import type { ServiceAvailability } from '../schemas/health.ts'
import type {
  DepartmentEntry,
  LocalizedText,
  ServiceCategory,
  ServiceDefinition,
  ServiceInput,
} from '../services/service-definition.ts'

/**
 * The citizen UI's local API (kiosk/ui ↔ kiosk agent, XFS4IoT envelope over a loopback WebSocket):
 * command names, their payloads (validated by the agent), their completions and the events. The
 * agent implements it (kiosk/agent/src/local-api); the browser JS imports these types through JSDoc.
 */

export const COMPLETION_CODES = [
  'success',
  'canceled',
  'deviceNotReady',
  'hardwareError',
  'timeOut',
  'userError',
  'unsupportedCommand',
  'sequenceError',
  'invalidData',
  'internalError',
] as const
export type CompletionCode = (typeof COMPLETION_CODES)[number]

const Empty = Type.Object({}, { additionalProperties: false })
const TimeoutMs = Type.Optional(Type.Integer({ minimum: 1000, maximum: 120_000 }))
const InputId = Type.String({ pattern: '^[a-z][a-zA-Z0-9]{0,31}$' })

/** Every command's payload schema, by command name. */
export const LocalApiCommands = {
  'Common.Status': Empty,
  'Session.Start': Type.Object({ serviceId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  'Session.ReadIdCard': Type.Object(
    {
      timeoutMs: TimeoutMs,
      /** Try again after a refused card: wait for a newly placed card, not the one still lying there. */
      fresh: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  'Session.ScanCode': Type.Object({ inputId: InputId, timeoutMs: TimeoutMs }, { additionalProperties: false }),
  'Session.ScanDocument': Type.Object({ inputId: InputId }, { additionalProperties: false }),
  'Session.Query': Type.Object(
    {
      /** Values by input id: a code string, `{value}` of an option given as its value string, `{from,to}`. */
      inputs: Type.Optional(Type.Record(InputId, Type.Unknown())),
      pin: Type.Optional(Type.String({ maxLength: 8 })),
    },
    { additionalProperties: false },
  ),
  'Session.Output': Type.Object(
    { itemId: Type.Optional(Type.String({ maxLength: 128 })) },
    { additionalProperties: false },
  ),
  'Session.Extend': Empty,
  /** 人证核验 (docs/identity.md): which verifier, the card photo for the on-device check, tries left. */
  'Identity.FaceStart': Empty,
  /** The on-device check's decision; scores are numbers only, never an image or an embedding. */
  'Identity.FaceResult': Type.Object(
    {
      outcome: Type.Union([
        Type.Literal('match'),
        Type.Literal('noMatch'),
        Type.Literal('spoof'),
        Type.Literal('noFace'),
        Type.Literal('unavailable'),
        Type.Literal('cameraNotReady'),
      ]),
      scores: Type.Optional(Type.Record(Type.String({ maxLength: 16 }), Type.Union([Type.Number(), Type.Null()]))),
    },
    { additionalProperties: false },
  ),
  /** Camera frames (base64 JPEG) for the remote identity platform. */
  'Identity.Verify': Type.Object(
    { frames: Type.Array(Type.String({ maxLength: 3_000_000 }), { minItems: 1, maxItems: 10 }) },
    { additionalProperties: false },
  ),
  'Session.End': Type.Object(
    { reason: Type.Optional(Type.Union([Type.Literal('completed'), Type.Literal('canceled')])) },
    { additionalProperties: false },
  ),
  /**
   * The kiosk shell offers to capture the screen (the fleet's `screenshot` command): the command
   * stays open; each capture the agent wants comes as a `Shell.CaptureRequestEvent`
   * `{captureId, maxSide, quality}` on it, answered with `Shell.CaptureResult`.
   */
  'Shell.ServeCapture': Empty,
  'Shell.CaptureResult': Type.Object(
    {
      captureId: Type.String({ pattern: '^[A-Za-z0-9-]{8,64}$' }),
      mimeType: Type.Optional(Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png')])),
      width: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
      height: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
      /** base64; absent with `error` when the shell could not capture. */
      image: Type.Optional(Type.String({ maxLength: 3_000_000 })),
      error: Type.Optional(Type.String({ maxLength: 300 })),
    },
    { additionalProperties: false },
  ),
} as const
export type LocalApiCommandName = keyof typeof LocalApiCommands
export type LocalApiPayload<N extends LocalApiCommandName> = Static<(typeof LocalApiCommands)[N]>

/** A failed completion: the code and a stable reason the UI turns into words. */
export interface CompletionFailure {
  completionCode: Exclude<CompletionCode, 'success'>
  errorCode: string
  errorDescription: string
}
export type Completion<T> = ({ completionCode: 'success' } & T) | CompletionFailure

/** The citizen as the screen shows them: the name, the ID number with its middle hidden. */
export interface CitizenView {
  displayName: string
  maskedIdNumber: string
}

/** One offered service as the menu needs it (no citizen data). */
export interface OfferedService extends ServiceAvailability {
  department: string
  category: ServiceCategory
  name: LocalizedText
  guidance: LocalizedText
  /** Lowercase strings the search box matches: names, keywords, pinyin and its initials. */
  search: string[]
  /** Completed transactions on this kiosk (counts only): the menu shows the most used first. */
  uses: number
  /** Device classes of the peripherals that block it. */
  blockedClasses: string[]
}

export interface KioskStatus {
  kioskId: string
  machineType: string
  siteName: string
  ui: {
    idleTimeoutMs: number
    idleWarningMs: number
    defaultLanguage: 'zh' | 'en'
    nearestService: LocalizedText
    /** Where 人证核验 runs: the UI preloads the face models at start when `onDevice`. */
    faceCheck: 'onDevice' | 'remote' | 'off'
  }
  mode: 'inService' | 'maintenance' | 'outOfService'
  catalogue: { digest: string }
  departments: DepartmentEntry[]
  categories: { id: ServiceCategory; name: LocalizedText }[]
  services: OfferedService[]
  faults: { deviceClass: string; state: string; paper: string | null }[]
}

export interface SessionStarted {
  sessionId: string
  serviceId: string
  name: LocalizedText
  identify: ('idCard' | 'ssCard' | 'pin' | 'face')[]
  inputs: ServiceInput[]
  /** Taking the card away ends the session (the UI says so on the result). */
  endsOnCardRemoval: boolean
}

/** One record as the UI shows it: both languages filled, nothing raw. */
export interface ViewItem {
  id?: string
  title: LocalizedText
  badge?: { value: string; label: LocalizedText }
  lines: { label: LocalizedText; value: string }[]
}

export interface QueryView {
  kind: 'records' | 'facts' | 'choices'
  title: LocalizedText
  empty: LocalizedText
  items: ViewItem[]
  output: {
    kind: ServiceDefinition['output']['kind']
    action?: LocalizedText
    hint?: LocalizedText
    optional?: boolean
    /** Whether the output can be produced now (its printer may be down). */
    available: boolean
  }
  /** Set when the query itself identified the citizen (social-security card read with the PIN). */
  citizen?: CitizenView
}

export type OutputView = { printed: 'receipt' | 'a4'; pages?: number } | { qr: { url: string; image: string } }

/** `faceCheck`: the service's definition asks for 人证核验 before anything personal is shown. */
export type CardRead = { method: 'idCard'; citizen: CitizenView; faceCheck?: boolean } | { method: 'ssCard' }

/** `Identity.FaceStart`: `cardPhoto` (a data URL) only in on-device mode, for the page's own check. */
export type FaceStarted = { verified: true } | { mode: 'onDevice' | 'remote'; triesLeft: number; cardPhoto?: string }

/** A face check decision; `triesLeft` after a counted failure (0: go to the counter). */
export type FaceChecked = { outcome: 'match' }

/** What each command completes with. */
export interface LocalApiCompletions {
  'Common.Status': Completion<KioskStatus>
  'Session.Start': Completion<SessionStarted>
  'Session.ReadIdCard': Completion<CardRead>
  'Session.ScanCode': Completion<{ code: string }>
  'Session.ScanDocument': Completion<{ pages: number }>
  'Session.Query': Completion<{ view: QueryView }>
  'Session.Output': Completion<OutputView>
  'Session.Extend': Completion<object>
  'Identity.FaceStart': Completion<FaceStarted>
  'Identity.FaceResult': Completion<FaceChecked>
  'Identity.Verify': Completion<FaceChecked>
  'Session.End': Completion<object>
}

/** Unsolicited events (no requestId). */
export interface LocalApiUnsolicited {
  'Common.StatusChangedEvent': KioskStatus
  'Session.IdleWarningEvent': { sessionId: string; secondsLeft: number }
  'Session.EndedEvent': { sessionId: string; reason: 'completed' | 'failed' | 'canceled' | 'timedOut' | 'cardRemoved' }
  /** Whether an ID card lies on the reader (nothing else about it): the take-your-card reminder. */
  'Identity.CardPresenceEvent': { present: boolean }
}

/** Intermediate events of a command (same requestId). */
export const LOCAL_API_EVENTS = [
  'Session.InsertCardEvent',
  'Session.MediaInsertedEvent',
  'Session.ScanWaitingEvent',
  'Session.ScanUnreadableEvent',
  'Session.PreparingDocumentEvent',
  'Session.PrintingEvent',
  'Shell.CaptureRequestEvent',
] as const
export type LocalApiEventName = (typeof LOCAL_API_EVENTS)[number]

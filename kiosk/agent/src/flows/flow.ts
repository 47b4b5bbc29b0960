import type { Logger } from 'pino'
import type { BackendFailureCode, DepartmentBackend } from '../backends/department-backend.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import type { CitizenSession, CitizenView } from '../sessions/citizen-session.ts'

/** XFS4IoT completion codes the local API uses (borrowed vocabulary). */
export type CompletionCode =
  | 'success'
  | 'canceled'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'timeOut'
  | 'userError'
  | 'unsupportedCommand'
  | 'sequenceError'
  | 'invalidData'
  | 'internalError'

/** A step that did not succeed: the completion code and a stable reason the UI turns into words. */
export interface StepFailure {
  completionCode: Exclude<CompletionCode, 'success'>
  /** e.g. `paperOut`, `noMedia`, `pinWrong`, `notFound`, `serviceUnavailable`. */
  errorCode: string
  errorDescription: string
  /** With `pinWrong`: tries left before the lock, shown to the citizen. */
  triesLeft?: number
}

export type StepResult<T> = { ok: true; value: T } | ({ ok: false } & StepFailure)

export const stepOk = <T>(value: T): StepResult<T> => ({ ok: true, value })
export const stepFail = (
  completionCode: StepFailure['completionCode'],
  errorCode: string,
  errorDescription: string,
): { ok: false } & StepFailure => ({ ok: false, completionCode, errorCode, errorDescription })

/** Department answers that are the citizen's business (wrong PIN) vs the system's (gateway down). */
export function backendFailure(
  code: BackendFailureCode,
  message: string,
  triesLeft?: number,
): { ok: false } & StepFailure {
  if (code === 'unavailable' || code === 'timeout') return stepFail('timeOut', 'backendUnavailable', message)
  const failure = stepFail('userError', code, message)
  return triesLeft === undefined ? failure : { ...failure, triesLeft }
}

export interface FlowContext {
  session: CitizenSession
  backend: DepartmentBackend
  devices: DeviceManager
  /** Progress to the UI (e.g. `printing`), as XFS4IoT intermediate events. */
  progress: (name: string, payload?: Record<string, unknown>) => void
  /** Base of the verification URL printed in QR codes. */
  verifyBaseUrl: string
  logger: Logger
}

/** What the citizen chooses from, in display form (no raw department records). */
export interface QueryView {
  kind: 'progress' | 'taxCertificates' | 'licence' | 'socialInsurance'
  /** Set when the query itself identified the citizen (social-security card read with the PIN). */
  citizen?: CitizenView
  items: Record<string, unknown>[]
  /** Whether a print step is offered now (its peripheral may be faulted). */
  canPrint: boolean
}

export interface PrintView {
  printed: 'receipt' | 'a4'
  pages?: number
}

/**
 * One citizen service: how the citizen identifies, what extra input it needs, what it shows,
 * what it prints. Steps return results; they never throw for expected outcomes.
 */
export interface ServiceFlow {
  serviceId: string
  /**
   * `idCard` reads the ID card; `ssCard` also accepts a social-security card in the PC/SC reader
   * instead (its holder is read with the PIN); `pin` then asks the social-security PIN.
   */
  identify: readonly ('idCard' | 'ssCard' | 'pin')[]
  /** The flow needs the code of a notice (QR scan or typed). */
  needsCode: boolean
  /** Taking the card off the reader ends the session (the card stays on the reader while the citizen is served). */
  endsOnCardRemoval: boolean
  /** Called once identified (and after code/PIN); returns what to show. */
  query(ctx: FlowContext, input: { code?: string; pin?: string }): Promise<StepResult<QueryView>>
  print(ctx: FlowContext, itemId: string | undefined): Promise<StepResult<PrintView>>
}

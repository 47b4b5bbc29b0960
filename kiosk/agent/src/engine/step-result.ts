import type { CompletionCode } from '@kiosk-fleet/protocol'

/** A step that did not succeed: the completion code and a stable reason the UI turns into words. */
export interface StepFailure {
  completionCode: Exclude<CompletionCode, 'success'>
  /** e.g. `paperOut`, `noMedia`, `pinWrong`, `notFound`, `departmentUnavailable`. */
  errorCode: string
  errorDescription: string
  /** A wrong PIN: how many more the card or the department allows (shown on the PIN screen). */
  triesLeft?: number
}

export type StepResult<T> = { ok: true; value: T } | ({ ok: false } & StepFailure)

export const stepOk = <T>(value: T): StepResult<T> => ({ ok: true, value })
export const stepFail = (
  completionCode: StepFailure['completionCode'],
  errorCode: string,
  errorDescription: string,
  triesLeft?: number,
): { ok: false } & StepFailure => ({
  ok: false,
  completionCode,
  errorCode,
  errorDescription,
  ...(triesLeft === undefined ? {} : { triesLeft }),
})

/**
 * Expected device outcomes are values, not exceptions (house style, "Errors and results").
 * The completion vocabulary follows XFS4IoT completion codes.
 */
export type FailureCode =
  | 'timeout'
  | 'canceled'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'commandError'
  | 'invalidData'
  | 'unsupported'

export interface DeviceFailure<D extends string = string> {
  code: FailureCode
  /** Class-specific reason, e.g. printer `paperOut`, reader `noMedia`. */
  detail?: D
  message: string
}

export type Result<T, D extends string = string> = { ok: true; value: T } | { ok: false; error: DeviceFailure<D> }

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function fail<D extends string = string>(
  code: FailureCode,
  message: string,
  detail?: D,
): { ok: false; error: DeviceFailure<D> } {
  return { ok: false, error: detail === undefined ? { code, message } : { code, detail, message } }
}

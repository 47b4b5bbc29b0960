/**
 * Bugs and misuse are thrown as AppError with a stable code (house style). Match on `code`,
 * never on the message or on `instanceof` (two copies of a package would break instanceof).
 * Every code is listed in docs/errors.md.
 */
export class AppError extends Error {
  readonly code: string
  readonly context: Record<string, unknown> | undefined

  constructor(code: string, message: string, options?: { cause?: unknown; context?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.context = options?.context
  }
}

export function isAppError(value: unknown, code?: string): value is AppError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { code?: unknown; name?: unknown }
  if (candidate.name !== 'AppError' || typeof candidate.code !== 'string') return false
  return code === undefined || candidate.code === code
}

/** Driver-layer error codes (ERR_DRV_*). */
export const DriverErrorCodes = {
  transportClosed: 'ERR_DRV_TRANSPORT_CLOSED',
  transportOpenFailed: 'ERR_DRV_TRANSPORT_OPEN_FAILED',
  queueClosed: 'ERR_DRV_QUEUE_CLOSED',
  invalidOption: 'ERR_DRV_INVALID_OPTION',
} as const
export type DriverErrorCode = (typeof DriverErrorCodes)[keyof typeof DriverErrorCodes]

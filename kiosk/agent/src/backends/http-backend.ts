import type { BusinessLicenceExtract, SocialInsuranceCertificate, TaxPaymentCertificate } from '@kiosk/documents'
import type { Logger } from 'pino'
import type {
  ApplicationProgress,
  BackendResult,
  CitizenIdentity,
  DepartmentBackend,
  TaxCertificateSummary,
} from './department-backend.ts'

export interface HttpBackendOptions {
  /** The department gateway, e.g. `https://gateway.example.gov.cn/kiosk/v1`. */
  url: string
  /** Bearer token the gateway expects (secret: from env or a file). */
  token?: string
  timeoutMs: number
  logger: Logger
  fetch?: typeof fetch
}

/** The gateway's operations: `POST {url}/{operation}` with a JSON body, answered by `BackendResult` JSON. */
export const GATEWAY_OPERATIONS = [
  'application-progress',
  'business-licence',
  'tax-certificates',
  'tax-certificate',
  'social-insurance',
] as const
export type GatewayOperation = (typeof GATEWAY_OPERATIONS)[number]

const FAILURE_CODES = new Set(['notFound', 'mismatch', 'pinWrong', 'pinLocked', 'unavailable', 'timeout'])

function isBackendResult(value: unknown): value is BackendResult<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  if (v.ok === true) return 'value' in v
  return (
    v.ok === false &&
    typeof v.code === 'string' &&
    FAILURE_CODES.has(v.code) &&
    typeof v.message === 'string' &&
    (v.triesLeft === undefined || (typeof v.triesLeft === 'number' && Number.isInteger(v.triesLeft)))
  )
}

/**
 * A department gateway over HTTPS: one POST per operation, JSON in and out (see
 * backend-gateway.ts for the server side). A gateway that is down, slow or answers nonsense is an
 * `unavailable`/`timeout` result, never an exception; the log never gets the body.
 */
export class HttpBackend implements DepartmentBackend {
  readonly kind = 'http'
  readonly #options: HttpBackendOptions
  readonly #fetch: typeof fetch

  constructor(options: HttpBackendOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new TypeError('HttpBackendOptions.url must be http(s)://')
    this.#options = options
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  applicationProgress(citizen: CitizenIdentity) {
    return this.#call<ApplicationProgress[]>('application-progress', { citizen })
  }

  businessLicence(citizen: CitizenIdentity, noticeCode: string) {
    return this.#call<BusinessLicenceExtract>('business-licence', { citizen, noticeCode })
  }

  taxCertificates(citizen: CitizenIdentity) {
    return this.#call<TaxCertificateSummary[]>('tax-certificates', { citizen })
  }

  taxCertificate(citizen: CitizenIdentity, certificateId: string) {
    return this.#call<TaxPaymentCertificate>('tax-certificate', { citizen, certificateId })
  }

  socialInsurance(citizen: CitizenIdentity, pin: string) {
    return this.#call<SocialInsuranceCertificate>('social-insurance', { citizen, pin })
  }

  /** The gateway is trusted for the value's shape (it is the department's own system); the envelope is checked. */
  async #call<T>(operation: GatewayOperation, body: Record<string, unknown>): Promise<BackendResult<T>> {
    const { url, token, timeoutMs, logger } = this.#options
    const started = Date.now()
    let response: Response
    try {
      response = await this.#fetch(`${url.replace(/\/$/, '')}/${operation}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      const timedOut = err instanceof DOMException && err.name === 'TimeoutError'
      logger.warn({ operation, timedOut, errName: (err as Error).name }, 'gateway call failed')
      return timedOut
        ? { ok: false, code: 'timeout', message: `the department system did not answer in ${timeoutMs} ms` }
        : { ok: false, code: 'unavailable', message: 'the department system cannot be reached' }
    }
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      logger.warn(
        { operation, status: response.status, length: text.length, errName: (err as Error).name },
        'gateway answered no JSON',
      )
      return { ok: false, code: 'unavailable', message: 'the department system answered nonsense' }
    }
    if (!response.ok || !isBackendResult(parsed)) {
      logger.warn({ operation, status: response.status }, 'gateway answered an error')
      return { ok: false, code: 'unavailable', message: `the department system answered HTTP ${response.status}` }
    }
    logger.debug({ operation, ms: Date.now() - started, ok: parsed.ok }, 'gateway call')
    return parsed as BackendResult<T>
  }
}

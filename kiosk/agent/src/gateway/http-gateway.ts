import { type GatewayRequest, GatewayResponse } from '@kiosk-fleet/protocol'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Logger } from 'pino'
import { type DepartmentGateway, unavailable } from './department-gateway.ts'

export interface GatewayEndpoint {
  /** The department's gateway base, e.g. `https://gw.hrss.example.gov.cn/kiosk/v1`. */
  url: string
  /** Bearer token (secret: from env or a file, redacted in logs). */
  token?: string
  timeoutMs: number
}

export interface HttpGatewayOptions {
  /** The gateway of each department; `*` is used for departments not named. */
  endpoints: Record<string, GatewayEndpoint>
  kioskId: string
  logger: Logger
  fetch?: typeof fetch
}

const responseChecker = TypeCompiler.Compile(GatewayResponse)

/**
 * The department gateway contract over HTTP (docs/department-gateway.openapi.json):
 * `POST {url}/operations/{operation}` with a GatewayRequest, answered by a GatewayResponse. A
 * gateway that is down, slow (timeoutMs) or answers something else is `unavailable`; the log gets
 * the operation, status and timing, never a body.
 */
export class HttpGateway implements DepartmentGateway {
  readonly #options: HttpGatewayOptions
  readonly #fetch: typeof fetch

  constructor(options: HttpGatewayOptions) {
    for (const [department, e] of Object.entries(options.endpoints)) {
      if (!/^https?:\/\//.test(e.url))
        throw new TypeError(`HttpGatewayOptions.endpoints.${department}.url must be http(s)://`)
    }
    this.#options = options
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  async call(department: string, operation: string, request: GatewayRequest): Promise<GatewayResponse> {
    const endpoint = this.#options.endpoints[department] ?? this.#options.endpoints['*']
    const log = this.#options.logger
    if (!endpoint) return unavailable(`no gateway configured for department ${department}`)
    const started = Date.now()
    let response: Response
    try {
      response = await this.#fetch(`${endpoint.url.replace(/\/$/, '')}/operations/${operation}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-kiosk-id': this.#options.kioskId,
          ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}),
        },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      })
    } catch (err) {
      const timedOut = err instanceof DOMException && err.name === 'TimeoutError'
      log.warn({ department, operation, timedOut, errName: (err as Error).name }, 'gateway call failed')
      return unavailable(timedOut ? `no answer in ${endpoint.timeoutMs} ms` : 'the department system cannot be reached')
    }
    let parsed: unknown
    try {
      parsed = await response.json()
    } catch (err) {
      log.warn(
        { department, operation, status: response.status, errName: (err as Error).name },
        'gateway answered no JSON',
      )
      return unavailable('the department system answered nonsense')
    }
    if (!response.ok || !responseChecker.Check(parsed)) {
      log.warn({ department, operation, status: response.status }, 'gateway answered outside the contract')
      return unavailable(`the department system answered HTTP ${response.status}`)
    }
    log.debug({ department, operation, ms: Date.now() - started, ok: parsed.ok }, 'gateway call')
    return parsed
  }
}

/** Exit codes a script can act on. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  unreachable: 5,
  /** `rollouts status`: the rollout halted on its error threshold. */
  halted: 6,
  /** `rollouts status`: the rollout was aborted. */
  aborted: 7,
  /** `artifacts push`: interrupted (Ctrl-C); the same command resumes. */
  interrupted: 130,
} as const

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'

/** A raw answer, for the calls whose status and headers matter (tus-style uploads). */
export interface RawResponse {
  status: number
  headers: Headers
  text: string
}

export class FleetctlError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The HTTP status and the server's `ERR_*` code, when the server answered. */
    readonly http?: { status: number; code?: string | undefined },
  ) {
    super(message)
    this.name = 'FleetctlError'
  }
}

export interface ApiClientOptions {
  server: string
  token?: string | undefined
  /** Node's fetch by default; one trusting `--cacert` (ca-fetch.ts) for a fleet with a private CA. */
  fetch?: typeof fetch
}

/** The fleet HTTP API with a Bearer token; maps failures to messages and exit codes. */
export class ApiClient {
  readonly server: string
  readonly #token: string | undefined
  readonly #fetch: typeof fetch

  constructor(options: ApiClientOptions) {
    this.server = options.server.replace(/\/+$/, '')
    this.#token = options.token
    this.#fetch = options.fetch ?? fetch
  }

  async request<T>(method: HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.raw(method, path, {
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if ((response.status >= 200 && response.status < 300) || response.status === 504) {
      return (response.headers.get('content-type')?.includes('json') ? JSON.parse(response.text) : response.text) as T
    }
    throw this.failure(response)
  }

  /**
   * One call with the token, answering whatever status came back; only a network failure throws
   * (`unreachable`, with the cause kept so callers can tell a cut connection from a refused one).
   */
  async raw(
    method: HttpMethod,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; signal?: AbortSignal } = {},
  ): Promise<RawResponse> {
    const response = await this.#send(method, path, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  }

  /** The fetch with the token; a network failure becomes `unreachable`, with the cause and a CA hint. */
  async #send(
    method: HttpMethod,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; signal?: AbortSignal },
  ): Promise<Response> {
    try {
      return await this.#fetch(`${this.server}${path}`, {
        method,
        headers: {
          ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      })
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause
      const hint = isCertificateError(cause)
        ? ' — the server certificate is not signed by a CA fleetctl trusts: give its CA with --cacert <pem> (or FLEETCTL_CACERT)'
        : ''
      throw new FleetctlError(
        `cannot reach ${this.server}: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}${hint}`,
        EXIT.unreachable,
      )
    }
  }

  /** The error for a non-2xx answer: message from the server's `{code, message}`, exit code by status. */
  failure(response: RawResponse): FleetctlError {
    const problem = safeJson(response.text)
    const message = problem?.message ?? `HTTP ${response.status}`
    const http = { status: response.status, code: problem?.code }
    if (response.status === 401)
      return new FleetctlError(`${message} — run: fleetctl login --server ${this.server}`, EXIT.auth, http)
    if (response.status === 403)
      return new FleetctlError(`${problem?.code ?? 'forbidden'}: ${message}`, EXIT.auth, http)
    if (response.status === 404) return new FleetctlError(message, EXIT.notFound, http)
    return new FleetctlError(`${problem?.code ?? 'error'}: ${message}`, EXIT.failed, http)
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path)
  }

  /** A binary answer (a screenshot) as bytes; failures as for `request`. */
  async download(path: string): Promise<Buffer> {
    const response = await this.#send('GET', path, {})
    if (!response.ok) {
      throw this.failure({ status: response.status, headers: response.headers, text: await response.text() })
    }
    return Buffer.from(await response.arrayBuffer())
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body)
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path)
  }
}

const CERTIFICATE_ERROR =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/

/** Whether a connection failed on the server's certificate (node:tls's code on the fetch error's cause). */
function isCertificateError(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && CERTIFICATE_ERROR.test(code)
}

function safeJson(text: string): { code?: string; message?: string } | undefined {
  try {
    return JSON.parse(text) as { code?: string; message?: string }
  } catch {
    return undefined
  }
}

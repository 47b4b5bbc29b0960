/** Exit codes a script can act on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4, unreachable: 5 } as const

export class FleetctlError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
    this.name = 'FleetctlError'
  }
}

export interface ApiClientOptions {
  server: string
  token?: string | undefined
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

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response
    try {
      response = await this.#fetch(`${this.server}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    } catch (err) {
      throw new FleetctlError(`cannot reach ${this.server}: ${(err as Error).message}`, EXIT.unreachable)
    }
    const text = await response.text()
    if (response.ok || response.status === 504) {
      return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T
    }
    const problem = safeJson(text)
    const message = problem?.message ?? `HTTP ${response.status}`
    if (response.status === 401)
      throw new FleetctlError(`${message} — run: fleetctl login --server ${this.server}`, EXIT.auth)
    if (response.status === 403) throw new FleetctlError(message, EXIT.auth)
    if (response.status === 404) throw new FleetctlError(message, EXIT.notFound)
    throw new FleetctlError(`${problem?.code ?? 'error'}: ${message}`, EXIT.failed)
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path)
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body)
  }
}

function safeJson(text: string): { code?: string; message?: string } | undefined {
  try {
    return JSON.parse(text) as { code?: string; message?: string }
  } catch {
    return undefined
  }
}

import { request as httpsRequest } from 'node:https'

/**
 * What the fleet-server hands a kiosk that enrols: its MQTT credentials (shown once), the broker URL
 * and, when the broker speaks TLS with a private CA, that CA's certificate (PEM).
 */
export interface KioskCredentials {
  kioskId: string
  mqtt: { url?: string; username: string; password: string; ca?: string }
}

/** The fleet-server refused or failed the enrolment; `code` is its `ERR_FLEET_*` code when it gave one. */
export class EnrolmentError extends Error {
  readonly code: string
  readonly status: number | undefined
  constructor(message: string, code: string, status?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EnrolmentError'
    this.code = code
    this.status = status
  }
}

function isCredentials(value: unknown): value is KioskCredentials {
  const v = value as KioskCredentials | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.kioskId === 'string' &&
    typeof v.mqtt === 'object' &&
    typeof v.mqtt.username === 'string' &&
    typeof v.mqtt.password === 'string' &&
    (v.mqtt.url === undefined || typeof v.mqtt.url === 'string') &&
    (v.mqtt.ca === undefined || typeof v.mqtt.ca === 'string')
  )
}

/** Trades a one-time enrolment token for the kiosk's MQTT credentials (`POST /api/enrol`). */
export async function requestKioskCredentials(options: {
  server: string
  kioskId: string
  token: string
  /** CA that signed the fleet-server's HTTPS certificate, when it is not one the system trusts. */
  ca?: Buffer
  fetch?: typeof fetch
}): Promise<KioskCredentials> {
  const url = new URL('/api/enrol', options.server)
  const doFetch = options.fetch ?? (options.ca === undefined ? fetch : fetchTrusting(options.ca))
  let response: Response
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kioskId: options.kioskId, token: options.token }),
    })
  } catch (err) {
    throw new EnrolmentError(`cannot reach ${url.origin}`, 'unreachable', undefined, { cause: err })
  }
  const body: unknown = await response.json().catch((err: unknown) => ({ parseError: String(err) }))
  if (!response.ok) {
    const error = body as { code?: unknown; message?: unknown }
    throw new EnrolmentError(
      typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      typeof error.code === 'string' ? error.code : 'httpError',
      response.status,
    )
  }
  if (!isCredentials(body)) throw new EnrolmentError('the server answered without credentials', 'badResponse', 200)
  return body
}

/** A POST-with-JSON `fetch` over node:https that trusts `ca` (node's own fetch takes no CA option). */
function fetchTrusting(ca: Buffer): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(
        new URL(String(input)),
        { method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, ca },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })))
        },
      )
      req.on('error', reject)
      req.end(typeof init?.body === 'string' ? init.body : undefined)
    })
}

/** What the fleet-server hands a kiosk that enrols: its MQTT credentials (shown once) and broker URL. */
export interface KioskCredentials {
  kioskId: string
  mqtt: { url?: string; username: string; password: string }
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
    (v.mqtt.url === undefined || typeof v.mqtt.url === 'string')
  )
}

/** Trades a one-time enrolment token for the kiosk's MQTT credentials (`POST /api/enrol`). */
export async function requestKioskCredentials(options: {
  server: string
  kioskId: string
  token: string
  fetch?: typeof fetch
}): Promise<KioskCredentials> {
  const url = new URL('/api/enrol', options.server)
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(url, {
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

/**
 * Client of the agent's local device API (XFS4IoT-style envelope over a WebSocket on loopback).
 * A command resolves with its completion payload; events of the same requestId go to `onEvent`;
 * unsolicited events go to the listeners given to `connect`.
 */
export const API_PATH = '/xfs4iot/v1.0'

/** Events nobody asked to see. */
function ignore() {
  return undefined
}

/** The per-boot token arrives in the URL fragment (never sent to a server); kept for reloads of this tab only. */
export function takeToken() {
  const match = /(?:^|[#&])token=([0-9a-f]{64})/.exec(location.hash)
  if (match) {
    sessionStorage.setItem('kiosk-token', match[1])
    history.replaceState(null, '', location.pathname)
    return match[1]
  }
  return sessionStorage.getItem('kiosk-token') ?? undefined
}

/**
 * @typedef {import('@kiosk-fleet/protocol/local-api').LocalApiCommandName} CommandName
 * @typedef {import('@kiosk-fleet/protocol/local-api').LocalApiCompletions} Completions
 * @typedef {import('@kiosk-fleet/protocol/local-api').LocalApiUnsolicited} Unsolicited
 */

export class LocalApi {
  /** @type {WebSocket | undefined} */
  #ws = undefined
  #nextId = 1
  /** @type {Map<number, { resolve: (payload: any) => void, reject: (err: Error) => void, onEvent: (name: any, payload: any) => void }>} */
  #pending = new Map()
  #onUnsolicited
  #onState

  /** @param {{ token: string, onUnsolicited: <E extends keyof Unsolicited>(name: E, payload: Unsolicited[E]) => void, onState: (up: boolean) => void }} options */
  constructor(options) {
    this.token = options.token
    this.#onUnsolicited = options.onUnsolicited
    this.#onState = options.onState
  }

  connect() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_PATH}`
    const ws = new WebSocket(url, ['xfs4iot.v1', `token.${this.token}`])
    this.#ws = ws
    ws.addEventListener('open', () => this.#onState(true))
    ws.addEventListener('close', () => {
      for (const { reject } of this.#pending.values()) reject(new Error('connection closed'))
      this.#pending.clear()
      this.#onState(false)
      setTimeout(() => this.connect(), 1000)
    })
    ws.addEventListener('message', (event) => this.#receive(JSON.parse(event.data)))
  }

  get connected() {
    return this.#ws?.readyState === WebSocket.OPEN
  }

  /**
   * Sends a command; resolves with the completion payload (`completionCode` success or not).
   * The names, payloads and completions are the contract in protocol/src/local-api.
   * @template {CommandName} N
   * @param {N} name
   * @param {import('@kiosk-fleet/protocol/local-api').LocalApiPayload<N>} [payload]
   * @param {(name: import('@kiosk-fleet/protocol/local-api').LocalApiEventName, payload: any) => void} [onEvent]
   * @returns {Promise<Completions[N]>}
   */
  command(name, payload = /** @type {any} */ ({}), onEvent = undefined) {
    const ws = this.#ws
    if (!ws || !this.connected) return Promise.reject(new Error('not connected'))
    const requestId = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject, onEvent: onEvent ?? ignore })
      ws.send(JSON.stringify({ header: { type: 'command', name, requestId, version: '1.0' }, payload }))
    })
  }

  #receive(message) {
    const { header, payload } = message
    if (header.type === 'unsolicited') return this.#onUnsolicited(header.name, payload)
    const pending = this.#pending.get(header.requestId)
    if (!pending) return
    if (header.type === 'acknowledge' && header.status !== null) {
      this.#pending.delete(header.requestId)
      pending.reject(new Error(`command refused: ${header.status}`))
    } else if (header.type === 'event') pending.onEvent(header.name, payload)
    else if (header.type === 'completion') {
      this.#pending.delete(header.requestId)
      pending.resolve(payload)
    }
  }
}

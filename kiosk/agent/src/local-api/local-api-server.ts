import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  type AckStatus,
  API_PATH,
  API_SUBPROTOCOL,
  API_VERSION,
  type CommandMessage,
  type CompletionCode,
  commandChecker,
  LocalApiCommands,
  type OutboundMessage,
} from '@kiosk-fleet/protocol'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Logger } from 'pino'
import { type WebSocket, WebSocketServer } from 'ws'

/** The contract's payload schema of each command (protocol/src/local-api), compiled once. */
const payloadCheckers = new Map(
  Object.entries(LocalApiCommands).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]),
)

export interface CommandReply {
  completionCode: CompletionCode
  errorCode?: string
  errorDescription?: string
  [key: string]: unknown
}

export interface CommandContext {
  /** An intermediate event of this command (same requestId). */
  event(name: string, payload?: Record<string, unknown>): void
}

export type CommandHandler = (payload: Record<string, unknown>, ctx: CommandContext) => Promise<CommandReply>

export interface LocalApiOptions {
  /** Per-boot secret the UI presents as the `token.<hex>` sub-protocol. */
  token: string
  /** Origins allowed to connect (the UI's own); a missing Origin is allowed for non-browser clients with the token. */
  allowedOrigins: () => string[]
  handlers: Record<string, CommandHandler>
  logger: Logger
  /** Commands one connection may have in flight (XFS4IoT `tooManyRequests` beyond). */
  maxInFlight?: number
}

function tokenFrom(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
  return offered.find((p) => p.startsWith('token.'))?.slice('token.'.length)
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The agent's local device API: a WebSocket on the UI server (loopback only), open to the kiosk
 * UI alone through a per-boot token, speaking the XFS4IoT-style envelope. Payloads are never
 * logged (they carry PINs and names); only command names and completion codes are.
 */
export class LocalApi {
  readonly #options: LocalApiOptions
  readonly #wss: WebSocketServer
  readonly #clients = new Set<WebSocket>()
  readonly #log: Logger
  #refused = 0

  constructor(options: LocalApiOptions) {
    this.#options = options
    this.#log = options.logger
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => (protocols.has(API_SUBPROTOCOL) ? API_SUBPROTOCOL : false),
    })
  }

  get clientCount(): number {
    return this.#clients.size
  }

  /** Connections refused for a missing or wrong token or a foreign Origin, since start. */
  get refusedCount(): number {
    return this.#refused
  }

  /** Takes over WebSocket upgrades on the UI server's API path. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0]
      if (path !== API_PATH) return this.#refuse(socket, 404, 'Not Found')
      const token = tokenFrom(req)
      const origin = req.headers.origin
      if (token === undefined || !sameSecret(token, this.#options.token))
        return this.#refuse(socket, 401, 'Unauthorized')
      if (origin !== undefined && !this.#options.allowedOrigins().includes(origin)) {
        return this.#refuse(socket, 403, 'Forbidden')
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws))
    })
  }

  /** An unsolicited event to every connected UI. */
  broadcast(name: string, payload: object): void {
    const text = JSON.stringify({ header: { type: 'unsolicited', name, version: API_VERSION }, payload })
    for (const ws of this.#clients) ws.send(text)
  }

  async close(): Promise<void> {
    for (const ws of this.#clients) ws.terminate()
    this.#clients.clear()
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
  }

  #refuse(socket: Duplex, status: number, text: string): void {
    this.#refused += 1
    this.#log.warn({ status }, 'local api connection refused')
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  #accept(ws: WebSocket): void {
    this.#clients.add(ws)
    this.#log.info({ clients: this.#clients.size }, 'ui connected')
    let inFlight = 0
    const seen = new Set<number>()
    const send = (message: OutboundMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    ws.on('close', () => {
      this.#clients.delete(ws)
      this.#log.info({ clients: this.#clients.size }, 'ui disconnected')
    })
    ws.on('message', (data) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(String(data))
      } catch (err) {
        this.#log.warn({ errName: (err as Error).name }, 'local api message is not JSON')
        return send(ack('unknown', 0, 'invalidMessage'))
      }
      if (!commandChecker.Check(parsed)) {
        const requestId = Number((parsed as { header?: { requestId?: unknown } })?.header?.requestId) || 0
        return send(ack('unknown', requestId, 'invalidMessage'))
      }
      const command: CommandMessage = parsed
      const { name, requestId } = command.header
      if (seen.has(requestId)) return send(ack(name, requestId, 'invalidRequestID'))
      if (inFlight >= (this.#options.maxInFlight ?? 8)) return send(ack(name, requestId, 'tooManyRequests'))
      seen.add(requestId)
      send(ack(name, requestId, null))
      const handler = this.#options.handlers[name]
      if (!handler) {
        return send(completion(name, requestId, { completionCode: 'unsupportedCommand', errorCode: 'unknownCommand' }))
      }
      const payloadChecker = payloadCheckers.get(name)
      if (payloadChecker && !payloadChecker.Check(command.payload ?? {})) {
        const first = [...payloadChecker.Errors(command.payload ?? {})][0]
        return send(
          completion(name, requestId, {
            completionCode: 'invalidData',
            errorCode: 'payloadInvalid',
            errorDescription: `${first?.path ?? ''} ${first?.message ?? ''}`.trim(),
          }),
        )
      }
      inFlight += 1
      const ctx: CommandContext = {
        event: (eventName, payload = {}) =>
          send({ header: { type: 'event', name: eventName, requestId, version: API_VERSION }, payload }),
      }
      handler(command.payload ?? {}, ctx)
        .catch((err: unknown): CommandReply => {
          this.#log.error({ err, command: name }, 'local api command failed')
          return { completionCode: 'internalError', errorCode: 'internalError', errorDescription: 'internal error' }
        })
        .then((reply) => {
          inFlight -= 1
          this.#log.debug({ command: name, completionCode: reply.completionCode }, 'command completed')
          send(completion(name, requestId, reply))
        })
    })
  }
}

function ack(name: string, requestId: number, status: AckStatus): OutboundMessage {
  return { header: { type: 'acknowledge', name, requestId, version: API_VERSION, status }, payload: {} }
}

function completion(name: string, requestId: number, reply: CommandReply): OutboundMessage {
  return { header: { type: 'completion', name, requestId, version: API_VERSION }, payload: reply }
}

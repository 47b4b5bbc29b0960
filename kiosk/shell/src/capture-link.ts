import { API_PATH, API_SUBPROTOCOL } from '@kiosk-fleet/protocol/local-api'
import type { UiEndpoint } from './shell-config.ts'

/** One picture of the window, as the agent wants it (downscaled, JPEG). */
export interface WindowCapture {
  mimeType: 'image/jpeg' | 'image/png'
  bytes: Uint8Array
  width: number
  height: number
}

/** The WebSocket the link needs: the WHATWG one (Electron's Node 22 global, or `ws` in tests). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void
}
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike

export interface CaptureLinkOptions {
  /** The agent's UI endpoint (url and per-boot token), once it runs. */
  endpoint: () => UiEndpoint | undefined
  /** Captures the kiosk window (main.ts: `webContents.capturePage()`, resized, JPEG). */
  capture: (options: { maxSide: number; quality: number }) => Promise<WindowCapture>
  connect: WebSocketFactory
  /** How long to wait before connecting again after the agent went away. */
  retryMs?: number
  onError?: (message: string) => void
}

/**
 * The shell's side of `screenshot`: connects to the agent's local API like the UI does (the
 * per-boot token, no Origin) and keeps `Shell.ServeCapture` open; each `Shell.CaptureRequestEvent`
 * is answered with a `Shell.CaptureResult`. The agent alone decides whether a capture may be taken
 * (never during a citizen session); the shell captures only when asked.
 */
export function startCaptureLink(options: CaptureLinkOptions): { stop(): void } {
  let stopped = false
  let socket: WebSocketLike | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let requestId = 0
  const later = () => {
    if (!stopped) retry = setTimeout(open, options.retryMs ?? 5000)
  }
  const command = (ws: WebSocketLike, name: string, payload: Record<string, unknown>) => {
    requestId += 1
    ws.send(JSON.stringify({ header: { type: 'command', name, requestId }, payload }))
  }
  function open(): void {
    const endpoint = options.endpoint()
    if (endpoint === undefined) {
      later()
      return
    }
    const ws = options.connect(`${endpoint.url.replace(/^http/, 'ws')}${API_PATH}`, [
      API_SUBPROTOCOL,
      `token.${endpoint.token}`,
    ])
    socket = ws
    ws.addEventListener('open', () => command(ws, 'Shell.ServeCapture', {}))
    ws.addEventListener('error', () => options.onError?.('capture link error'))
    ws.addEventListener('close', later)
    ws.addEventListener('message', (event) => {
      let message: {
        header: { type: string; name: string }
        payload: { captureId?: string; maxSide?: number; quality?: number }
      }
      try {
        message = JSON.parse(String(event.data))
      } catch {
        options.onError?.('capture link: a message that is not JSON')
        return
      }
      if (message.header?.type !== 'event' || message.header.name !== 'Shell.CaptureRequestEvent') return
      const { captureId, maxSide = 960, quality = 70 } = message.payload
      options.capture({ maxSide, quality }).then(
        (shot) =>
          command(ws, 'Shell.CaptureResult', {
            captureId,
            mimeType: shot.mimeType,
            width: shot.width,
            height: shot.height,
            image: Buffer.from(shot.bytes).toString('base64'),
          }),
        (err: unknown) => command(ws, 'Shell.CaptureResult', { captureId, error: String(err).slice(0, 300) }),
      )
    })
  }
  open()
  return {
    stop() {
      stopped = true
      clearTimeout(retry)
      socket?.close()
    },
  }
}

import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import { KioskErrorCodes } from '../errors.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
  '.wav': 'audio/wav',
}

/** Extra read-only content beside the UI's files: a folder under a URL prefix, or a generated answer. */
export type UiMount =
  | { prefix: string; dir: string }
  | { prefix: string; generate: (rest: string) => Promise<{ type: string; body: Uint8Array } | undefined> }

/** The kiosk/ui package's static files, found beside this package in the workspace. */
export const DEFAULT_UI_DIR = resolve(import.meta.dirname, '../../../ui/public')

/**
 * A content security policy that allows the UI's own files and the local API socket only:
 * no inline script, no remote content, no framing.
 */
function securityHeaders(res: ServerResponse, origin: string): void {
  const ws = origin.replace(/^http/, 'ws')
  res.setHeader(
    'content-security-policy',
    `default-src 'self'; connect-src 'self' ${ws}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'`,
  )
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('referrer-policy', 'no-referrer')
  res.setHeader('cache-control', 'no-store')
}

export interface UiServer {
  readonly server: Server
  readonly url: string
  readonly origins: string[]
  close(): Promise<void>
}

/** Serves the citizen UI's static files on loopback; the local API attaches to the same server. */
export async function startUiServer(options: {
  host: '127.0.0.1' | '::1'
  port: number
  staticDir: string
  /** e.g. the face models at /vendor/human/, the voice prompts at /voice/. */
  mounts?: readonly UiMount[]
  logger: Logger
}): Promise<UiServer> {
  const root = resolve(options.staticDir)
  if (!existsSync(join(root, 'index.html'))) {
    throw new AppError(KioskErrorCodes.uiStaticMissing, `no citizen UI at ${root} (index.html missing)`)
  }
  let origin = ''
  const server = createServer((req, res) => {
    securityHeaders(res, origin)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')
    const mount = options.mounts?.find((m) => path.startsWith(m.prefix))
    if (mount && 'generate' in mount) {
      const head = req.method === 'HEAD'
      mount
        .generate(path.slice(mount.prefix.length))
        .then((found) => {
          if (!found) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
          else res.writeHead(200, { 'content-type': found.type }).end(head ? undefined : found.body)
        })
        .catch((err: unknown) => {
          options.logger.error({ err, prefix: mount.prefix }, 'generated content failed')
          res.writeHead(500).end()
        })
      return
    }
    const base = mount ? resolve(mount.dir) : root
    const file = normalize(join(base, mount ? path.slice(mount.prefix.length) : path === '/' ? 'index.html' : path))
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file))
  })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port, options.host, () => ok())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host === '::1' ? '[::1]' : options.host
  origin = `http://${host}:${port}`
  options.logger.info({ url: origin }, 'citizen ui listening')
  return {
    server,
    url: origin,
    origins: [origin, `http://localhost:${port}`],
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}

/**
 * A fresh secret per boot, for the UI alone: written 0600 into the data dir, where the Electron
 * shell or the Chromium launch script (same user) read it and hand it to the page in the URL
 * fragment, which never reaches a server.
 */
export function createBootToken(dataDir: string, url: string): { token: string; path: string } {
  const token = randomBytes(32).toString('hex')
  const path = join(dataDir, 'ui-token')
  writeFileSync(path, token, { mode: 0o600 })
  writeFileSync(join(dataDir, 'ui-url'), url, { mode: 0o600 })
  return { token, path }
}

import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GatewayRequest } from '@kiosk-fleet/protocol'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { DepartmentGateway } from './department-gateway.ts'

export interface GatewayServer {
  /** Base URL; department `d` is served at `{url}/{d}` (its gateway base in the kiosk config). */
  url: string
  /** Makes a department's gateway answer HTTP 503 (an outage), or recover. */
  setOutage(department: string, down: boolean): void
  /** Requests served, per department (for tests; no bodies kept). */
  calls(department: string): number
  close(): Promise<void>
}

const MAX_BODY = 8 * 1024 * 1024
const requestChecker = TypeCompiler.Compile(GatewayRequest)

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
      if (body.length > MAX_BODY) reject(new Error('body too large'))
    })
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

/**
 * The server side of the department gateway contract around any DepartmentGateway: the reference
 * a department reads when writing its gateway, and what the demo and the tests point kiosks at.
 * `POST {url}/{department}/operations/{operation}`.
 */
export async function startGatewayServer(
  gateway: DepartmentGateway,
  options: { token?: string; port?: number; host?: string } = {},
): Promise<GatewayServer> {
  const outages = new Set<string>()
  const counts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const match = /^\/([a-z][a-z0-9-]{1,31})\/operations\/([a-z][a-z0-9-]{1,63})$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !match) return reply(404, { error: 'not found' })
    const [, department = '', operation = ''] = match
    counts.set(department, (counts.get(department) ?? 0) + 1)
    if (outages.has(department)) return reply(503, { error: 'department system down' })
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return reply(401, { error: 'unauthorized' })
    }
    readBody(req)
      .then(async (text) => {
        const body: unknown = JSON.parse(text)
        if (!requestChecker.Check(body)) return reply(400, { error: 'not a GatewayRequest' })
        reply(200, await gateway.call(department, operation, body))
      })
      .catch((err: unknown) => reply(400, { error: (err as Error).message }))
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setOutage: (department, down) => (down ? outages.add(department) : outages.delete(department)),
    calls: (department) => counts.get(department) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

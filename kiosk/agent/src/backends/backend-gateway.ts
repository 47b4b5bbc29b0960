import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BackendResult, CitizenIdentity, DepartmentBackend } from './department-backend.ts'
import type { GatewayOperation } from './http-backend.ts'

export interface BackendGateway {
  url: string
  close(): Promise<void>
}

const MAX_BODY = 16 * 1024

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

function citizenOf(body: Record<string, unknown>): CitizenIdentity | undefined {
  const c = body.citizen as Record<string, unknown> | undefined
  if (typeof c?.idNumber !== 'string' || typeof c.name !== 'string') return undefined
  return { idNumber: c.idNumber, name: c.name }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/**
 * The server side of the HTTP backend contract, around any DepartmentBackend: a reference for a
 * department writing its gateway, and what the demo and tests point the HttpBackend at.
 */
export async function startBackendGateway(
  backend: DepartmentBackend,
  options: { token?: string; port?: number; host?: string } = {},
): Promise<BackendGateway> {
  const routes: Record<
    GatewayOperation,
    (c: CitizenIdentity, b: Record<string, unknown>) => Promise<BackendResult<unknown>>
  > = {
    'application-progress': (c) => backend.applicationProgress(c),
    'business-licence': (c, b) => backend.businessLicence(c, str(b.noticeCode)),
    'tax-certificates': (c) => backend.taxCertificates(c),
    'tax-certificate': (c, b) => backend.taxCertificate(c, str(b.certificateId)),
    'social-insurance': (c, b) => backend.socialInsurance(c, str(b.pin)),
  }
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const operation = (req.url ?? '').split('/').at(-1) as GatewayOperation
    const route = routes[operation]
    if (req.method !== 'POST' || route === undefined) return reply(404, { error: 'not found' })
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return reply(401, { error: 'unauthorized' })
    }
    readBody(req)
      .then(async (text) => {
        const body = JSON.parse(text) as Record<string, unknown>
        const citizen = citizenOf(body)
        if (!citizen) return reply(400, { error: 'citizen.idNumber and citizen.name are required' })
        reply(200, await route(citizen, body))
      })
      .catch((err: unknown) => reply(400, { error: (err as Error).message }))
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/kiosk/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

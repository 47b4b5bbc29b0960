import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { can } from '../auth/roles.ts'
import { FleetErrorCodes } from '../errors.ts'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * preValidation of `/metrics` on the API listener: the scrape token (`metrics.token`, as
 * `Authorization: Bearer …`), or a logged-in user who may operate the fleet. Anyone else gets 401.
 */
export function metricsGuard(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const presented = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (expected !== undefined && presented !== undefined && timingSafeEqual(digest(presented), expected)) return
    if (request.principal !== null && can(request.principal, 'operate')) return
    return reply.code(401).send({
      code: FleetErrorCodes.unauthenticated,
      message: 'metrics need the scrape token (metrics.token) or an admin',
    })
  }
}

/**
 * `/metrics` on a listener of its own (`metrics.port`, e.g. on a monitoring network): nothing else is
 * served there; the token is still required when one is configured.
 */
export async function startMetricsListener(options: {
  registry: Registry
  host: string
  port: number
  token?: string | undefined
}): Promise<{ url: string; close(): Promise<void> }> {
  const expected = options.token === undefined ? undefined : digest(options.token)
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    const presented = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (expected !== undefined && (presented === undefined || !timingSafeEqual(digest(presented), expected))) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: FleetErrorCodes.unauthenticated, message: 'metrics need the scrape token' }))
      return
    }
    options.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'

/** Latency buckets of the API (seconds): a dashboard page is tens of ms, a CSV export a few seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * HTTP requests by method, route and status, and their latency. The route is the registered
 * pattern (`/api/kiosks/:id`), never the URL, so ids do not become labels; a URL no route matched is
 * `unmatched` (a scanner probing paths adds no series).
 */
export function httpMetricsHook(registry: Registry) {
  const requests = new Counter({
    name: 'fleet_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'fleet_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: BUCKETS,
    registers: [registry],
  })
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const route = request.routeOptions.url ?? 'unmatched'
    const method = request.method
    requests.inc({ method, route, status_code: String(reply.statusCode) })
    duration.observe({ method, route }, reply.elapsedTime / 1000)
  }
}

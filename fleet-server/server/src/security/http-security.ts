import type { FastifyHelmetOptions } from '@fastify/helmet'
import type { RateLimitPluginOptions } from '@fastify/rate-limit'
import type { BaseMapView } from '@kiosk-fleet/protocol/http'
import type { FastifyRequest } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { tileOrigins } from '../map/base-map.ts'

/** The content security policy of the dashboard and API: own scripts and styles only, never framed. */
export function contentSecurityPolicy(baseMap: BaseMapView): Record<string, string[]> {
  const tiles = tileOrigins(baseMap)
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // Map tiles come from the base map's tile hosts only (dashboard.baseMap); charts draw on canvas.
    imgSrc: ["'self'", 'data:', ...tiles],
    fontSrc: ["'self'"],
    // The live stream (/api/stream, server-sent events) and the API are same-origin.
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  }
}

/** @fastify/helmet options: CSP with frame-ancestors 'none', X-Frame-Options DENY, nosniff, HSTS, no referrer. */
export function helmetOptions(baseMap: BaseMapView): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(baseMap) },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  }
}

/**
 * @fastify/rate-limit options: per client address on the routes that opt in (`config.rateLimit`:
 * login and enrolment), answered 429 ERR_FLEET_RATE_LIMITED. A client over a limit is audited once a window.
 */
export function rateLimitOptions(audit: AuditLog): RateLimitPluginOptions {
  const audited = new Map<string, number>()
  return {
    global: false,
    // Per client address: behind a proxy, `http.trustProxy` makes this the real client's.
    keyGenerator: (request) => request.ip,
    onExceeded: (request: FastifyRequest, key: string) => {
      const window = Math.floor(Date.now() / 60_000)
      if (audited.get(key) === window) return
      if (audited.size > 10_000) audited.clear()
      audited.set(key, window)
      const action = request.url.startsWith('/api/enrol') ? 'kiosk.enrol' : 'login'
      void audit
        .append({ actor: 'anonymous', ip: request.ip, action, outcome: 'denied', details: { reason: 'rateLimited' } })
        .catch((err: unknown) => request.log.warn({ err }, 'audit of a rate-limited request failed'))
    },
    errorResponseBuilder: (_request, context) =>
      new FleetError(
        FleetErrorCodes.rateLimited,
        `too many requests from this address: try again in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  }
}

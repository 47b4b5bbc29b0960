import type { BaseMapView } from '@kiosk-fleet/protocol/http'
import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import type { Database } from '../db/database.ts'
import type { Ingestor } from '../ingest/ingestor.ts'
import type { LiveHub } from '../live/live-hub.ts'
import { metricsGuard } from '../security/metrics-access.ts'
import { dashboardRoutes } from './dashboard-routes.ts'
import { opsRoutes } from './ops-routes.ts'

export interface OpsPluginOptions {
  db: Database
  ingestor: Ingestor
  live: LiveHub
  mqttConnected: () => boolean
  /** The Prometheus registry `/metrics` serves (metrics/fleet-metrics.ts plus what features add). */
  metrics: Registry
  /** `/metrics` needs the scrape token or an admin; not served here when it has a listener of its own. */
  metricsAccess?: { token?: string | undefined; ownListener: boolean }
  dashboard: { baseMap: BaseMapView }
}

/**
 * Running the fleet-server: `/healthz`, `/readyz`, `/metrics`, `/api/ingest/stats`, the live
 * `/api/stream`, and the dashboard's files.
 */
export const opsPlugin: FastifyPluginAsync<OpsPluginOptions> = async (
  app,
  { metrics, metricsAccess, dashboard, ...options },
) => {
  if (metricsAccess?.ownListener !== true) {
    app.get(
      '/metrics',
      { schema: { hide: true }, preValidation: metricsGuard(metricsAccess?.token) },
      async (_request, reply) => {
        reply.header('content-type', metrics.contentType)
        return metrics.metrics()
      },
    )
  }
  await app.register(opsRoutes, options)
  await app.register(dashboardRoutes, { dashboard })
}

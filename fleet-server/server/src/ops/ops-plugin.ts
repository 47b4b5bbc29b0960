import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import type { Database } from '../db/database.ts'
import type { Ingestor } from '../ingest/ingestor.ts'
import type { LiveHub } from '../live/live-hub.ts'
import { dashboardRoutes } from './dashboard-routes.ts'
import { opsRoutes } from './ops-routes.ts'

export interface OpsPluginOptions {
  db: Database
  ingestor: Ingestor
  live: LiveHub
  mqttConnected: () => boolean
  /** The Prometheus registry `/metrics` serves (metrics/fleet-metrics.ts plus what features add). */
  metrics: Registry
  dashboard: { tileUrl?: string | undefined }
}

/**
 * Running the fleet-server: `/healthz`, `/readyz`, `/metrics`, `/api/ingest/stats`, the live
 * `/api/stream`, and the dashboard's files.
 */
export const opsPlugin: FastifyPluginAsync<OpsPluginOptions> = async (app, { metrics, dashboard, ...options }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType)
    return metrics.metrics()
  })
  await app.register(opsRoutes, options)
  await app.register(dashboardRoutes, { dashboard })
}

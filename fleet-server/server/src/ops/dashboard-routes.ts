import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { BaseMapView } from '@kiosk-fleet/protocol/http'
import type { FastifyPluginAsync } from 'fastify'
import { requirePermission } from '../auth/guard.ts'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard', import.meta.url))

export interface DashboardRoutesOptions {
  dashboard: { baseMap: BaseMapView }
}

/** The dashboard's static files (plain JS, no build step), its settings, its chart and map libraries. */
export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, { dashboard }) => {
  app.get(
    '/api/dashboard-config',
    { preValidation: requirePermission('readFleet'), schema: { hide: true } },
    async () => ({ baseMap: dashboard.baseMap }),
  )
  await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/' })
  // The chart and map libraries, served from their npm packages (no CDN: government networks are closed).
  const require = createRequire(import.meta.url)
  for (const [prefix, file] of [
    ['uplot', 'uplot/dist/uPlot.iife.min.js'],
    ['leaflet', 'leaflet/dist/leaflet.js'],
    ['leaflet.markercluster', 'leaflet.markercluster/dist/leaflet.markercluster.js'],
  ] as const) {
    await app.register(fastifyStatic, {
      root: dirname(require.resolve(file)),
      prefix: `/vendor/${prefix}/`,
      decorateReply: false,
    })
  }
}

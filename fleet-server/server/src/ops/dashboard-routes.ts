import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import { requirePermission } from '../auth/guard.ts'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard', import.meta.url))

export interface DashboardRoutesOptions {
  dashboard: { tileUrl?: string | undefined }
}

/** The dashboard's static files (plain JS, no build step), its settings and its chart library. */
export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, { dashboard }) => {
  app.get(
    '/api/dashboard-config',
    { preValidation: requirePermission('readFleet'), schema: { hide: true } },
    async () => ({
      ...(dashboard.tileUrl === undefined ? {} : { tileUrl: dashboard.tileUrl }),
    }),
  )
  await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/' })
  // The chart library, served from its npm package (no CDN: kiosks' networks are closed).
  await app.register(fastifyStatic, {
    root: dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js')),
    prefix: '/vendor/uplot/',
    decorateReply: false,
  })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type FleetOverview, SiteSummary, SiteTreeCounty } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { ScopedCache } from '../views/scoped-cache.ts'
import { type SharedJson, sendJson } from '../views/send-json.ts'

export interface SiteRoutesOptions {
  /** Fleet counts of the caller's scope (views/shared-views.ts). */
  overview: ScopedCache<FleetOverview>
  /** `{ sites }` of the caller's scope, as JSON. */
  sites: ScopedCache<SharedJson>
  /** `{ counties }` of the caller's scope, as JSON. */
  siteTree: ScopedCache<SharedJson>
}

/**
 * `/api/overview` (fleet counts), `/api/sites` (sites with their kiosk counts) and `/api/sites/tree`
 * (county → town → site with counts), scoped to the caller; answers shared per scope (views/).
 * `/api/sites` and `/api/sites/tree` are sent as the JSON the views keep: their response schemas
 * document the answer (the views serialise exactly those fields).
 */
export const siteRoutes: FastifyPluginAsyncTypebox<SiteRoutesOptions> = async (app, views) => {
  app.get(
    '/api/overview',
    {
      preValidation: requirePermission('readFleet'),
      schema: { summary: 'Fleet counts by state, machine type, department and county' },
    },
    async (request) => views.overview.get(principalOf(request)),
  )

  app.get(
    '/api/sites',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Sites holding kiosks in your scope (every site for fleet-wide roles), with kiosks and online',
        response: {
          200: Type.Object({ sites: Type.Array(SiteSummary) }),
        },
      },
    },
    async (request, reply) => sendJson(request, reply, await views.sites.get(principalOf(request))),
  )

  app.get(
    '/api/sites/tree',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Counties, their towns and their sites, each with kiosks, online, offline and faults',
        response: { 200: Type.Object({ counties: Type.Array(SiteTreeCounty) }) },
      },
    },
    async (request, reply) => sendJson(request, reply, await views.siteTree.get(principalOf(request))),
  )
}

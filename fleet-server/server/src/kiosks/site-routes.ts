import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SiteSummary } from '@kiosk-fleet/protocol/http'
import type { Static } from '@sinclair/typebox'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { kioskScope } from '../auth/roles.ts'
import type { Database } from '../db/database.ts'
import { OverviewRepo } from './overview-repo.ts'

/** `/api/overview` (fleet counts) and `/api/sites` (sites with their kiosk counts), scoped to the caller. */
export const siteRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const overview = new OverviewRepo(db)
  app.get(
    '/api/overview',
    {
      preValidation: requirePermission('readFleet'),
      schema: { summary: 'Fleet counts by state, machine type, department and county' },
    },
    async (request) => overview.overview(principalOf(request)),
  )

  app.get(
    '/api/sites',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        response: {
          200: Type.Object({ sites: Type.Array(SiteSummary) }),
        },
      },
    },
    async (request) => {
      // Sites that hold at least one kiosk the caller may see, with counts of those kiosks only.
      const scope = kioskScope(principalOf(request), 1)
      const admin = scope.sql === 'true'
      return {
        sites: await db.query<Static<typeof SiteSummary>>(
          `SELECT s.id, s.name, s.kind, s.city, s.county, s.town, s.latitude, s.longitude,
                  count(k.id)::int AS kiosks, count(k.id) FILTER (WHERE k.state = 'online')::int AS online
           FROM sites s LEFT JOIN kiosks k ON k.site_id = s.id AND ${scope.sql}
           GROUP BY s.id ${admin ? '' : 'HAVING count(k.id) > 0'}
           ORDER BY s.city, s.county, s.town, s.kind, s.id`,
          scope.params,
        ),
      }
    },
  )
}

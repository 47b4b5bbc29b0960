import type { SiteSummary } from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'

/**
 * `GET /api/sites`: sites that hold at least one kiosk the principal may see (every site for fleet-wide
 * roles), with counts of those kiosks only.
 */
export async function siteSummaries(db: Queryable, principal: Principal): Promise<SiteSummary[]> {
  const scope = kioskScope(principal, 1)
  const admin = scope.sql === 'true'
  return db.query<SiteSummary>(
    `SELECT s.id, s.name, s.kind, s.city, s.county, s.town, s.latitude, s.longitude,
            count(k.id)::int AS kiosks, count(k.id) FILTER (WHERE k.state = 'online')::int AS online
     FROM sites s LEFT JOIN kiosks k ON k.site_id = s.id AND ${scope.sql}
     GROUP BY s.id ${admin ? '' : 'HAVING count(k.id) > 0'}
     ORDER BY s.city, s.county, s.town, s.kind, s.id`,
    scope.params,
  )
}

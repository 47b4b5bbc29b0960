import type { SiteTreeCounty, SiteTreeSite, SiteTreeTown } from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { PERIPHERAL_FAULT } from './kiosk-query.ts'

type Counts = Pick<SiteTreeSite, 'kiosks' | 'online' | 'offline' | 'faults'>

const add = (into: Counts, from: Counts) => {
  into.kiosks += from.kiosks
  into.online += from.online
  into.offline += from.offline
  into.faults += from.faults
}

/**
 * County → town → site, each node with the counts of its kiosks the principal may see. Sites come
 * ordered (city, county, town, town centre first, id); the tree keeps that order.
 */
export function buildSiteTree(sites: SiteTreeSite[]): SiteTreeCounty[] {
  const counties = new Map<string, SiteTreeCounty>()
  const towns = new Map<string, SiteTreeTown>()
  for (const site of sites) {
    const countyKey = `${site.city}\u0000${site.county}`
    let county = counties.get(countyKey)
    if (county === undefined) {
      county = { city: site.city, county: site.county, kiosks: 0, online: 0, offline: 0, faults: 0, towns: [] }
      counties.set(countyKey, county)
    }
    const townKey = `${countyKey}\u0000${site.town}`
    let town = towns.get(townKey)
    if (town === undefined) {
      town = { town: site.town, kiosks: 0, online: 0, offline: 0, faults: 0, sites: [] }
      towns.set(townKey, town)
      county.towns.push(town)
    }
    town.sites.push(site)
    add(town, site)
    add(county, site)
  }
  return [...counties.values()]
}

/** Every site with a kiosk in the principal's scope (every site for fleet-wide roles), with counts. */
export async function siteTree(db: Queryable, principal: Principal): Promise<SiteTreeCounty[]> {
  return buildSiteTree(await siteCounts(db, principal))
}

/**
 * The sites of the tree and the map in tree order, each with the counts of its kiosks the principal
 * may see: every site for fleet-wide roles, only sites holding their kiosks for the others.
 */
export async function siteCounts(db: Queryable, principal: Principal): Promise<SiteTreeSite[]> {
  const scope = kioskScope(principal, 1)
  const params: unknown[] = [...scope.params]
  // A vendor's fault count looks at its own peripherals only, as its kiosk search does.
  const own = principal.role === 'vendor' ? `AND p.vendor_id = ANY($${params.push(principal.vendors)}::text[])` : ''
  const admin = scope.sql === 'true'
  return db.query<SiteTreeSite>(
    `SELECT s.id, s.name, s.kind, s.city, s.county, s.town, s.latitude, s.longitude,
            count(k.id)::int AS kiosks,
            count(k.id) FILTER (WHERE k.state = 'online')::int AS online,
            count(k.id) FILTER (WHERE k.state = 'offline')::int AS offline,
            count(k.id) FILTER (WHERE EXISTS (
              SELECT 1 FROM peripherals p WHERE p.kiosk_id = k.id AND ${PERIPHERAL_FAULT} ${own}))::int AS faults
     FROM sites s LEFT JOIN kiosks k ON k.site_id = s.id AND ${scope.sql}
     GROUP BY s.id ${admin ? '' : 'HAVING count(k.id) > 0'}
     ORDER BY s.city, s.county, s.town, CASE s.kind WHEN 'townCentre' THEN 0 ELSE 1 END, s.id`,
    params,
  )
}

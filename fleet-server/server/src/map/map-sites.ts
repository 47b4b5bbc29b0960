import type { MapDatum, MapSiteRow, MapSiteStatus, MapSites } from '@kiosk-fleet/protocol/http'
import { siteOpenness } from '../alerts/opening-hours.ts'
import type { Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { siteCounts } from '../kiosks/site-tree.ts'
import { addDays, localDate } from '../rollouts/schedule.ts'
import { loadOpenHours, scheduleFrom } from '../services/open-hours.ts'
import { wgs84ToGcj02 } from './gcj02.ts'

export const MAP_COLUMNS = ['id', 'name', 'kind', 'latitude', 'longitude', 'kiosks', 'offline', 'faults', 'status']

/** The worst of a site's kiosks (MAP_SITE_STATUSES): offline kiosks count only while the site is open. */
export function siteStatus(n: { kiosks: number; offline: number; faults: number }, open: boolean): MapSiteStatus {
  if (n.kiosks === 0) return 'empty'
  if (open && n.offline > 0) return 'offline'
  if (n.faults > 0) return 'fault'
  return open ? 'ok' : 'closed'
}

/** Six decimals: 0.1 m, and a shorter answer. */
const round = (v: number) => Math.round(v * 1e6) / 1e6

/**
 * The sites the principal may see, as compact rows with their status now, in the base map's datum
 * (stored coordinates are WGS-84: kiosks report them so, protocol `site.latitude/longitude`).
 */
export async function mapSites(db: Queryable, principal: Principal, datum: MapDatum, now: number): Promise<MapSites> {
  const all = await siteCounts(db, principal)
  const placed = all.filter((s) => s.latitude !== null && s.longitude !== null)
  const today = localDate(now)
  const hours = await loadOpenHours(
    db,
    placed.map((s) => s.id),
    today,
    addDays(today, 15),
  )
  // Most sites keep the fleet default: its openness is worked out once.
  let defaultOpen: boolean | undefined
  const isOpen = (siteId: string) => {
    if (!hours.sites.has(siteId) && defaultOpen !== undefined) return defaultOpen
    const open = siteOpenness(now, scheduleFrom(hours, siteId, today)).open
    if (!hours.sites.has(siteId)) defaultOpen = open
    return open
  }
  const sites = placed.map((s): MapSiteRow => {
    const wgs = [s.latitude as number, s.longitude as number] as const
    const [lat, lon] = datum === 'gcj02' ? wgs84ToGcj02(...wgs) : wgs
    return [s.id, s.name, s.kind, round(lat), round(lon), s.kiosks, s.offline, s.faults, siteStatus(s, isOpen(s.id))]
  })
  return { datum, columns: MAP_COLUMNS, sites, unplaced: all.length - placed.length }
}

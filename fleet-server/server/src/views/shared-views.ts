import type { FleetOverview, MapDatum } from '@kiosk-fleet/protocol/http'
import type { Queryable } from '../db/database.ts'
import { KioskDirectories } from '../kiosks/kiosk-directories.ts'
import { OverviewRepo } from '../kiosks/overview-repo.ts'
import { siteSummaries } from '../kiosks/site-summaries.ts'
import { siteTree } from '../kiosks/site-tree.ts'
import { mapSites } from '../map/map-sites.ts'
import { ScopedCache, type ScopedCacheOptions } from './scoped-cache.ts'
import { type SharedJson, sharedJson } from './send-json.ts'

export interface SharedViewsOptions {
  db: Queryable
  /** The base map's datum: the map's positions are answered in it. */
  datum: MapDatum
  /** Time source: the map's status now (opening hours) and the answers' age. */
  clock: () => number
  /** How long callers of one scope share an answer, ms (0: every caller gets a fresh answer). */
  maxAgeMs: number
  /** How much longer an answer is served while the next caller's refresh runs, ms (default 0). */
  staleMs?: number
}

/**
 * The dashboard's views of the whole fleet (and the kiosk list's directory), each one query over every kiosk, shared per scope
 * (scoped-cache.ts). The big ones are kept as the JSON they are sent as (`/api/sites` and
 * `/api/sites/tree` are about 600 KiB at 20,000 kiosks): callers sharing an answer share its
 * serialisation too.
 */
export interface SharedViews {
  /** `GET /api/overview`: fleet counts. */
  overview: ScopedCache<FleetOverview>
  /** `GET /api/sites` as JSON: `{ sites }`. */
  sites: ScopedCache<SharedJson>
  /** `GET /api/sites/tree` as JSON: `{ counties }`. */
  siteTree: ScopedCache<SharedJson>
  /** `GET /api/map` as JSON (MapSites). */
  map: ScopedCache<SharedJson>
  /** The kiosks `GET /api/kiosks` searches, filters and pages (kiosks/kiosk-directories.ts): looked over every `maxAgeMs`. */
  directory: KioskDirectories
  /** A kiosk is new (or born again): drops every answer of every view. */
  invalidate(): void
  /**
   * An alert was raised or resolved: the answers that count or colour by alerts (not the directory)
   * are refreshed by their next caller, who is served the answer before meanwhile.
   */
  alertsChanged(): void
}

/** A scope's kiosk directory is read whole this often (it is looked over for changes every `maxAgeMs`). */
const DIRECTORY_RELOAD_MS = 30_000

export function createSharedViews({ db, datum, clock, maxAgeMs, staleMs }: SharedViewsOptions): SharedViews {
  const overviewRepo = new OverviewRepo(db)
  const cache = <T>(compute: ScopedCacheOptions<T>['compute']) =>
    new ScopedCache<T>({ compute, maxAgeMs, staleMs, now: clock })
  const fleetViews = {
    overview: cache((principal) => overviewRepo.overview(principal)),
    sites: cache(async (principal) => sharedJson({ sites: await siteSummaries(db, principal) })),
    siteTree: cache(async (principal) => sharedJson({ counties: await siteTree(db, principal) })),
    map: cache(async (principal) => sharedJson(await mapSites(db, principal, datum, clock()))),
  }
  const directory = new KioskDirectories({
    db,
    checkEveryMs: maxAgeMs,
    // The same allowance as the other views: with one, nobody waits for a refresh.
    serveDuringLook: (staleMs ?? 0) > 0,
    reloadEveryMs: DIRECTORY_RELOAD_MS,
    now: clock,
  })
  const alertsChanged = () => {
    for (const view of Object.values(fleetViews)) view.expire()
  }
  return {
    ...fleetViews,
    directory,
    alertsChanged,
    invalidate() {
      alertsChanged()
      directory.invalidate()
    },
  }
}

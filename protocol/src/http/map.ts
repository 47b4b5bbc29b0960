import { type Static, Type } from '@sinclair/typebox'

/** Which base map the dashboard's site map draws (`dashboard.baseMap`, docs/operations.md "Site map"). */
export const BASE_MAP_KINDS = ['none', 'tianditu', 'amap', 'tiles', 'folder'] as const
export const MAP_DATUMS = ['wgs84', 'gcj02'] as const
export type MapDatum = (typeof MAP_DATUMS)[number]

/** The base map as the dashboard gets it (`GET /api/dashboard-config`): tile layers for Leaflet. */
export const BaseMapView = Type.Object({
  kind: Type.Union(BASE_MAP_KINDS.map((k) => Type.Literal(k))),
  /** Raster layers, bottom first: a Leaflet URL template (`{s}`, `{z}`, `{x}`, `{y}`) and its subdomains. */
  layers: Type.Array(
    Type.Object({ url: Type.String(), subdomains: Type.String(), attribution: Type.Optional(Type.String()) }),
  ),
  maxZoom: Type.Integer(),
  /** The datum of the tiles: `gcj02` for AMap's, so `GET /api/map` answers site positions in it. */
  datum: Type.Union(MAP_DATUMS.map((d) => Type.Literal(d))),
})
export type BaseMapView = Static<typeof BaseMapView>

/**
 * How a site shows on the map, worst first: a kiosk `offline` while the site is open, a kiosk with a
 * peripheral `fault`, all `ok`, the site `closed` now (opening hours, holiday or its own closure: its
 * switched-off kiosks are not offline), or `empty` (no kiosk in your scope).
 */
export const MAP_SITE_STATUSES = ['offline', 'fault', 'ok', 'closed', 'empty'] as const
export type MapSiteStatus = (typeof MAP_SITE_STATUSES)[number]

/** One site on the map, as a row: id, name, kind, latitude, longitude, kiosks, offline, faults, status. */
export const MapSiteRow = Type.Tuple([
  Type.String(),
  Type.String(),
  Type.String(),
  Type.Number(),
  Type.Number(),
  Type.Integer(),
  Type.Integer(),
  Type.Integer(),
  // An enum rather than a union of literals: fast-json-stringify serialises that inside a tuple.
  Type.Unsafe<MapSiteStatus>(Type.String({ enum: [...MAP_SITE_STATUSES] })),
])
export type MapSiteRow = Static<typeof MapSiteRow>

/** `GET /api/map`: every site in the caller's scope with coordinates, compact (3,000 sites in one answer). */
export const MapSites = Type.Object({
  /** The datum of the coordinates: the base map's (GCJ-02 under AMap, converted from the stored WGS-84). */
  datum: Type.Union(MAP_DATUMS.map((d) => Type.Literal(d))),
  columns: Type.Array(Type.String()),
  sites: Type.Array(MapSiteRow),
  /** Sites in scope that have no coordinates (not on the map). */
  unplaced: Type.Integer(),
})
export type MapSites = Static<typeof MapSites>

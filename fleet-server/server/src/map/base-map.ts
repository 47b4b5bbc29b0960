import type { BaseMapView } from '@kiosk-fleet/protocol/http'

/** The `dashboard` settings of the site map (config/schema.ts; docs/operations.md "Site map"). */
export interface BaseMapSettings {
  baseMap: BaseMapView['kind']
  tileUrl?: string | undefined
  tileSubdomains?: string | undefined
  tileDatum?: BaseMapView['datum'] | undefined
  tiandituKey?: string | undefined
  tileDir?: string | undefined
  tileAttribution?: string | undefined
  maxZoom?: number | undefined
}

/** Where the fleet-server serves the tiles of `dashboard.tileDir` (map-routes.ts). */
export const TILE_PATH = '/tiles/{z}/{x}/{y}.png'

/** 天地图: vector map and its Chinese annotation layer, Web Mercator (`_w`), WMTS, subdomains t0–t7. */
const tianditu = (layer: 'vec' | 'cva', key: string) =>
  `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
  `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`
/** 高德 road map (style 8 with labels), GCJ-02, subdomains webrd01–04. */
const AMAP = 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}'

/** A tile template's problem, or undefined: http(s), {z} {x} {y} present, {s} only in the host. */
export function templateProblem(template: string, subdomains: string | undefined): string | undefined {
  for (const p of ['{z}', '{x}', '{y}']) if (!template.includes(p)) return `has no ${p}`
  const unknown = template.match(/\{(?![zxys]\})[^}]*\}/)
  if (unknown) return `has the unknown placeholder ${unknown[0]} (only {s}, {z}, {x}, {y})`
  const hostEnd = template.indexOf('/', template.indexOf('//') + 2)
  if (template.indexOf('{s}', hostEnd) !== -1) return 'has {s} outside the host name'
  if (template.includes('{s}') && !subdomains) return 'has {s} but dashboard.tileSubdomains is not set'
  try {
    const url = new URL(template.replace(/\{[zxys]\}/g, '0'))
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not an http(s) URL'
  } catch {
    return 'is not a URL'
  }
  return undefined
}

/**
 * The base map the dashboard draws under the sites, from the settings; throws a TypeError naming the
 * setting when one the chosen base map needs is missing or wrong (config/load-fleet-config.ts turns
 * it into a ConfigError at start-up).
 */
export function resolveBaseMap(settings: BaseMapSettings): BaseMapView {
  const maxZoom = settings.maxZoom ?? 18
  const need = (key: keyof BaseMapSettings) => {
    const value = settings[key]
    if (value === undefined || value === '') {
      throw new TypeError(`dashboard.${key} is required when dashboard.baseMap is ${settings.baseMap}`)
    }
    return String(value)
  }
  for (const [key, kind] of [
    ['tileUrl', 'tiles'],
    ['tileDir', 'folder'],
    ['tiandituKey', 'tianditu'],
  ] as const) {
    if (settings[key] !== undefined && settings.baseMap !== kind) {
      throw new TypeError(`dashboard.${key} is only read when dashboard.baseMap is ${kind}, not ${settings.baseMap}`)
    }
  }
  const attribution = (preset: string) => settings.tileAttribution ?? preset
  switch (settings.baseMap) {
    case 'none':
      return { kind: 'none', layers: [], maxZoom, datum: 'wgs84' }
    case 'tianditu': {
      const key = need('tiandituKey')
      const layer = (l: 'vec' | 'cva') => ({ url: tianditu(l, key), subdomains: '01234567' })
      return {
        kind: 'tianditu',
        // Tianditu's web tiles are CGCS2000, which differs from WGS-84 by centimetres: no conversion.
        layers: [{ ...layer('vec'), attribution: attribution('© 天地图 tianditu.gov.cn') }, layer('cva')],
        maxZoom: Math.min(maxZoom, 18),
        datum: 'wgs84',
      }
    }
    case 'amap':
      return {
        kind: 'amap',
        layers: [{ url: AMAP, subdomains: '1234', attribution: attribution('© 高德地图 AutoNavi') }],
        maxZoom: Math.min(maxZoom, 18),
        datum: 'gcj02',
      }
    case 'tiles': {
      const url = need('tileUrl')
      const problem = templateProblem(url, settings.tileSubdomains)
      if (problem !== undefined) throw new TypeError(`dashboard.tileUrl ${problem}`)
      return {
        kind: 'tiles',
        layers: [
          {
            url,
            subdomains: settings.tileSubdomains ?? '',
            ...(settings.tileAttribution === undefined ? {} : { attribution: settings.tileAttribution }),
          },
        ],
        maxZoom,
        datum: settings.tileDatum ?? 'wgs84',
      }
    }
    case 'folder':
      need('tileDir')
      return {
        kind: 'folder',
        layers: [
          {
            url: TILE_PATH,
            subdomains: '',
            ...(settings.tileAttribution === undefined ? {} : { attribution: settings.tileAttribution }),
          },
        ],
        maxZoom,
        datum: settings.tileDatum ?? 'wgs84',
      }
  }
}

/** The origins the browser loads tiles from (the CSP's img-src): every subdomain spelled out. */
export function tileOrigins(baseMap: BaseMapView): string[] {
  const origins = new Set<string>()
  for (const layer of baseMap.layers) {
    if (layer.url.startsWith('/')) continue
    for (const s of layer.url.includes('{s}') ? [...layer.subdomains] : ['']) {
      origins.add(new URL(layer.url.replaceAll('{s}', s).replace(/\{[zxy]\}/g, '0')).origin)
    }
  }
  return [...origins]
}

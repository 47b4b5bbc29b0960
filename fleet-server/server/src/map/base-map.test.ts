import { ConfigError } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'
import { loadFleetConfig } from '../config/load-fleet-config.ts'
import { contentSecurityPolicy } from '../security/http-security.ts'
import { resolveBaseMap, tileOrigins } from './base-map.ts'

const KEY = '0123456789abcdef0123456789abcdef'
const dashboard = (settings: Record<string, unknown>) =>
  resolveBaseMap(loadFleetConfig({ file: { dashboard: settings } }).dashboard)

function problems(settings: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    loadFleetConfig({ file: { dashboard: settings }, env })
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('base map settings', () => {
  it('default to no base map: no tiles, no host in the CSP', () => {
    const baseMap = dashboard({})
    expect(baseMap).toEqual({ kind: 'none', layers: [], maxZoom: 18, datum: 'wgs84' })
    expect(contentSecurityPolicy(baseMap).imgSrc).toEqual(["'self'", 'data:'])
  })

  it('make Tianditu vector and annotation layers from the key, and allow exactly its eight tile hosts', () => {
    const baseMap = dashboard({ baseMap: 'tianditu', tiandituKey: KEY })
    expect(baseMap.layers.map((l) => l.url.split('?')[0])).toEqual([
      'https://t{s}.tianditu.gov.cn/vec_w/wmts',
      'https://t{s}.tianditu.gov.cn/cva_w/wmts',
    ])
    expect(baseMap.layers[0]?.url).toContain(`TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${KEY}`)
    expect(baseMap.datum).toBe('wgs84')
    expect(tileOrigins(baseMap)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `https://t${i}.tianditu.gov.cn`))
    expect(contentSecurityPolicy(baseMap).connectSrc).toEqual(["'self'"])
  })

  it('take the Tianditu key from the environment', () => {
    const config = loadFleetConfig({
      file: { dashboard: { baseMap: 'tianditu' } },
      env: { FLEET_DASHBOARD__TIANDITU_KEY: KEY },
    })
    expect(resolveBaseMap(config.dashboard).layers[1]?.url).toContain(`tk=${KEY}`)
  })

  it('make AMap tiles GCJ-02 with its four hosts', () => {
    const baseMap = dashboard({ baseMap: 'amap' })
    expect(baseMap.datum).toBe('gcj02')
    expect(tileOrigins(baseMap)).toEqual([1, 2, 3, 4].map((i) => `https://webrd0${i}.is.autonavi.com`))
  })

  it('accept a custom template with its placeholders in any order, and its subdomains', () => {
    const url = 'https://{s}.tiles.example.cn/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}'
    const baseMap = dashboard({ baseMap: 'tiles', tileUrl: url, tileSubdomains: 'ab', tileDatum: 'gcj02' })
    expect(baseMap).toMatchObject({ kind: 'tiles', datum: 'gcj02', layers: [{ url, subdomains: 'ab' }] })
    expect(tileOrigins(baseMap)).toEqual(['https://a.tiles.example.cn', 'https://b.tiles.example.cn'])
  })

  it('serve a tile folder from the fleet-server itself: nothing added to the CSP', () => {
    const baseMap = dashboard({ baseMap: 'folder', tileDir: '/srv/tiles', maxZoom: 14 })
    expect(baseMap).toMatchObject({ kind: 'folder', maxZoom: 14, layers: [{ url: '/tiles/{z}/{x}/{y}.png' }] })
    expect(tileOrigins(baseMap)).toEqual([])
  })

  it.each([
    [{ baseMap: 'tianditu' }, 'dashboard.tiandituKey is required when dashboard.baseMap is tianditu'],
    [{ baseMap: 'tiles' }, 'dashboard.tileUrl is required'],
    [{ baseMap: 'folder' }, 'dashboard.tileDir is required'],
    [
      { tileUrl: 'https://t.example/{z}/{x}/{y}.png' },
      'dashboard.tileUrl is only read when dashboard.baseMap is tiles',
    ],
    [{ baseMap: 'amap', tiandituKey: KEY }, 'dashboard.tiandituKey is only read when dashboard.baseMap is tianditu'],
    [{ baseMap: 'tiles', tileUrl: 'https://t.example/{z}/{x}.png' }, 'dashboard.tileUrl has no {y}'],
    [{ baseMap: 'tiles', tileUrl: 'https://{s}.t.example/{z}/{x}/{y}.png' }, 'dashboard.tileSubdomains is not set'],
    [{ baseMap: 'tiles', tileUrl: 'https://t.example/{s}/{z}/{x}/{y}.png', tileSubdomains: 'ab' }, 'outside the host'],
    [{ baseMap: 'tiles', tileUrl: 'https://t.example/{z}/{x}/{y}.png?k={key}' }, 'unknown placeholder {key}'],
  ])('refuse %j at start-up', (settings, message) => {
    const found = problems(settings)
    expect(found).toHaveLength(1)
    expect(found[0]).toContain(message)
  })

  it('refuse an unknown base map, a bad key and a non-http template through the schema', () => {
    expect(problems({ baseMap: 'baidu' }).join('\n')).toContain('/dashboard/baseMap')
    expect(problems({ baseMap: 'tianditu', tiandituKey: 'key with spaces' }).join('\n')).toContain(
      '/dashboard/tiandituKey',
    )
    expect(problems({ baseMap: 'tiles', tileUrl: 'file:///etc/{z}/{x}/{y}' }).join('\n')).toContain(
      '/dashboard/tileUrl',
    )
  })
})

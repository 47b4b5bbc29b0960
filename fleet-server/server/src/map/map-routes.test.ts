import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MapSites } from '@kiosk-fleet/protocol/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'
import { resolveBaseMap } from './base-map.ts'
import { wgs84ToGcj02 } from './gcj02.ts'
import { mapSites } from './map-sites.ts'

/** Tuesday 2025-11-25 11:00 at the sites (UTC+8): open on the fleet's default hours. */
const TUESDAY_11 = Date.parse('2025-11-25T03:00:00Z')
/** Saturday 2025-11-29 11:00: closed. */
const SATURDAY_11 = Date.parse('2025-11-29T03:00:00Z')
/** Bytes the test writes as a tile: the route serves files, whatever they hold. */
const TILE = Buffer.from('tile z3 x6 y2')
const SECRET = 'not a tile: outside the folder'

let t: RouteTestApp
let tileDir: string
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'map-tiles-'))
  tileDir = join(root, 'tiles')
  mkdirSync(join(tileDir, '3', '6'), { recursive: true })
  writeFileSync(join(tileDir, '3', '6', '2.png'), TILE)
  // Beside the folder, never to be served through it.
  writeFileSync(join(root, 'secret.png'), SECRET)
  t = await createRouteTestApp({
    clock: () => TUESDAY_11,
    dashboard: { baseMap: resolveBaseMap({ baseMap: 'folder', tileDir }), tileDir },
  })
  await t.db.exec(`
    INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude) VALUES
      ('map-offline', '离线站', 'villageStation', '青州市', '花溪县', '花溪镇', 30.62, 114.33),
      ('map-fault', '故障站', 'villageStation', '青州市', '花溪县', '花溪镇', 30.63, 114.34),
      ('map-empty', '空站', 'villageStation', '青州市', '花溪县', '花溪镇', 30.64, 114.35),
      ('map-nowhere', '无坐标站', 'villageStation', '青州市', '花溪县', '花溪镇', NULL, NULL);
    INSERT INTO kiosks (id, machine_type, department, site_id, state) VALUES
      ('map-k1', 'id', 'public-security', 'map-offline', 'offline'),
      ('map-k2', 'id', 'public-security', 'map-offline', 'online'),
      ('map-k3', 'tax', 'tax', 'map-fault', 'online'),
      ('map-k4', 'tax', 'tax', 'map-nowhere', 'online');
    INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, vendor_id, model, status) VALUES
      ('map-k3', 'receipt', 'receiptPrinter', 'Epson', 'epson', 'TM-T82III', '{"state":"userError","paper":"out"}');
  `)
})
afterAll(async () => t.close())

const get = async (url: string, role: keyof RouteTestApp['cookies'] | null = 'admin') =>
  t.app.inject({ method: 'GET', url, headers: role === null ? {} : { cookie: t.cookies[role] } })

const byId = (answer: MapSites) => new Map(answer.sites.map((row) => [row[0], row]))

describe('GET /api/map', () => {
  it('answers every placed site as a row with its counts and status now', async () => {
    const response = await get('/api/map')
    expect(response.statusCode).toBe(200)
    const answer = response.json<MapSites>()
    expect(answer.datum).toBe('wgs84')
    expect(answer.columns).toEqual([
      'id',
      'name',
      'kind',
      'latitude',
      'longitude',
      'kiosks',
      'offline',
      'faults',
      'status',
    ])
    const sites = byId(answer)
    expect(sites.get('map-offline')).toEqual([
      'map-offline',
      '离线站',
      'villageStation',
      30.62,
      114.33,
      2,
      1,
      0,
      'offline',
    ])
    expect(sites.get('map-fault')?.slice(5)).toEqual([1, 0, 1, 'fault'])
    expect(sites.get('map-empty')?.slice(5)).toEqual([0, 0, 0, 'empty'])
    expect(sites.get('site-b')?.at(-1)).toBe('ok')
    expect(sites.has('map-nowhere')).toBe(false)
    expect(answer.unplaced).toBe(1)
  })

  it('shows only the sites holding kiosks in the caller scope', async () => {
    expect([...byId((await get('/api/map', 'site')).json<MapSites>()).keys()]).toEqual(['site-b'])
    const department = byId((await get('/api/map', 'department')).json<MapSites>())
    expect([...department.keys()].sort()).toEqual(['hx-tc01', 'map-offline'])
    // A vendor: kiosks with its devices, faults of its own devices.
    const vendor = byId((await get('/api/map', 'vendor')).json<MapSites>())
    expect(vendor.get('map-fault')?.at(-1)).toBe('fault')
    expect(vendor.has('map-offline')).toBe(false)
    expect((await get('/api/map', null)).statusCode).toBe(401)
  })

  it('marks sites closed outside opening hours, where switched-off kiosks are not offline', async () => {
    const admin = { userId: 'ada', displayName: 'ada', role: 'admin' as const, departments: [], sites: [], vendors: [] }
    const sites = byId(await mapSites(t.db, admin, 'wgs84', SATURDAY_11))
    expect(sites.get('map-offline')?.at(-1)).toBe('closed')
    expect(sites.get('site-b')?.at(-1)).toBe('closed')
    // A fault still shows: the kiosk is on and its printer is out of paper.
    expect(sites.get('map-fault')?.at(-1)).toBe('fault')
  })

  it('answers GCJ-02 positions when the base map is AMap', async () => {
    const admin = { userId: 'ada', displayName: 'ada', role: 'admin' as const, departments: [], sites: [], vendors: [] }
    const answer = await mapSites(t.db, admin, 'gcj02', TUESDAY_11)
    expect(answer.datum).toBe('gcj02')
    const [, , , lat, lon] = byId(answer).get('map-offline') ?? []
    const [gcjLat, gcjLon] = wgs84ToGcj02(30.62, 114.33)
    expect(lat).toBeCloseTo(gcjLat, 6)
    expect(lon).toBeCloseTo(gcjLon, 6)
  })
})

describe('GET /api/dashboard-config and /tiles/', () => {
  it('hands the dashboard the base map', async () => {
    const response = await get('/api/dashboard-config')
    expect(response.json()).toEqual({
      baseMap: {
        kind: 'folder',
        layers: [{ url: '/tiles/{z}/{x}/{y}.png', subdomains: '' }],
        maxZoom: 18,
        datum: 'wgs84',
      },
    })
    expect(response.headers['content-security-policy']).toContain("img-src 'self' data:;")
  })

  it('serves the tile folder to logged-in users', async () => {
    const response = await get('/tiles/3/6/2.png')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('image/png')
    expect(response.rawPayload).toEqual(TILE)
    expect((await get('/tiles/3/6/2.png', null)).statusCode).toBe(401)
    const missing = await get('/tiles/3/6/3.png')
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('ERR_FLEET_TILE_NOT_FOUND')
  })

  it.each([
    '/tiles/..%2F..%2Fsecret/0/0.png',
    '/tiles/3/..%2F..%2F../secret.png',
    '/tiles/3/6/..%2F..%2F..%2Fsecret.png',
    '/tiles/%2e%2e/%2e%2e/secret.png',
    '/tiles/3/6/2.png%00.txt',
    '/tiles/../secret.png',
    '/tiles/3/-1/2.png',
  ])('refuses a path out of the folder: %s', async (url) => {
    const response = await get(url)
    expect([400, 404]).toContain(response.statusCode)
    expect(response.body).not.toContain(SECRET)
  })
})

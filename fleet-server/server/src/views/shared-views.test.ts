import { gunzipSync } from 'node:zlib'
import { sampleBirth } from '@kiosk-fleet/protocol'
import { type FleetOverview, MapSites, SiteSummary, SiteTreeCounty } from '@kiosk-fleet/protocol/http'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'
import { acceptsGzip } from './send-json.ts'

const encode = (payload: unknown) => new TextEncoder().encode(JSON.stringify(payload))
const SiteSummaries = Type.Object({ sites: Type.Array(SiteSummary) })
type SiteSummaries = Static<typeof SiteSummaries>
const SiteTree = Type.Object({ counties: Type.Array(SiteTreeCounty) })
type SiteTree = Static<typeof SiteTree>
type Role = keyof RouteTestApp['cookies']

let t: RouteTestApp
beforeAll(async () => {
  // Shared for a minute: within a test, only an invalidation brings a fresh answer.
  t = await createRouteTestApp({ sharedViewsMaxAgeMs: 60_000 })
})
afterAll(async () => t.close())

async function get(url: '/api/sites', role: Role): Promise<SiteSummaries>
async function get(url: '/api/sites/tree', role: Role): Promise<SiteTree>
async function get(url: '/api/map', role: Role): Promise<MapSites>
async function get(url: '/api/overview', role: Role): Promise<FleetOverview>
async function get(url: `/api/kiosks?${string}`, role: Role): Promise<{ total: number; kiosks: { id: string }[] }>
async function get(url: string, role: Role): Promise<unknown> {
  const response = await t.app.inject({ method: 'GET', url, headers: { cookie: t.cookies[role] } })
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  return response.json()
}

const siteIds = (answer: SiteSummaries) => answer.sites.map((s) => s.id).sort()
const kioskCount = (answer: SiteSummaries, siteId: string) => answer.sites.find((s) => s.id === siteId)?.kiosks
const treeSiteIds = (answer: SiteTree) =>
  answer.counties.flatMap((c) => c.towns.flatMap((town) => town.sites.map((s) => s.id))).sort()
const treeKiosks = (answer: SiteTree) => answer.counties.reduce((n, c) => n + c.kiosks, 0)
const mapSiteIds = (answer: MapSites) => answer.sites.map((row) => row[0]).sort()
/** The `kiosks` column of one site's map row. */
const mapKiosks = (answer: MapSites, siteId: string) => answer.sites.find((row) => row[0] === siteId)?.[5]

describe('shared views (/api/sites, /api/sites/tree, /api/map, the kiosk list)', () => {
  it('never hands a site-scoped user the answer shared by fleet-wide roles, nor the other way round', async () => {
    t.views.invalidate()
    // The admin's answers are computed and kept first.
    expect(siteIds(await get('/api/sites', 'admin'))).toEqual(['hx-tc01', 'site-b'])
    expect(treeSiteIds(await get('/api/sites/tree', 'admin'))).toEqual(['hx-tc01', 'site-b'])
    expect(mapSiteIds(await get('/api/map', 'admin'))).toEqual(['hx-tc01', 'site-b'])
    // sam sees site-b only, every view.
    expect(siteIds(await get('/api/sites', 'site'))).toEqual(['site-b'])
    expect(treeSiteIds(await get('/api/sites/tree', 'site'))).toEqual(['site-b'])
    expect(mapSiteIds(await get('/api/map', 'site'))).toEqual(['site-b'])
    // Department and vendor scopes have their own answers too (dora: public-security, kiosk-a's site).
    expect(siteIds(await get('/api/sites', 'department'))).toEqual(['hx-tc01'])
    // The auditor sees the whole fleet, as the admin: the same shared answer.
    expect(siteIds(await get('/api/sites', 'auditor'))).toEqual(['hx-tc01', 'site-b'])

    // Site user first this time: the admin still gets the whole fleet.
    t.views.invalidate()
    expect(siteIds(await get('/api/sites', 'site'))).toEqual(['site-b'])
    expect(mapSiteIds(await get('/api/map', 'site'))).toEqual(['site-b'])
    expect(siteIds(await get('/api/sites', 'admin'))).toEqual(['hx-tc01', 'site-b'])
    expect(mapSiteIds(await get('/api/map', 'admin'))).toEqual(['hx-tc01', 'site-b'])
  })

  it('sends answers that hold to the routes’ response schemas', async () => {
    t.views.invalidate()
    for (const role of ['admin', 'site', 'vendor'] as const) {
      expect(Value.Check(SiteSummaries, await get('/api/sites', role))).toBe(true)
      expect(Value.Check(SiteTree, await get('/api/sites/tree', role))).toBe(true)
      expect(Value.Check(MapSites, await get('/api/map', role))).toBe(true)
    }
  })

  it('shows a new kiosk once the views are invalidated, as fleet-server.ts does on a birth', async () => {
    t.views.invalidate()
    expect(kioskCount(await get('/api/sites', 'admin'), 'site-b')).toBe(1)
    expect(kioskCount(await get('/api/sites', 'site'), 'site-b')).toBe(1)
    expect(treeKiosks(await get('/api/sites/tree', 'admin'))).toBe(2)
    expect(mapKiosks(await get('/api/map', 'site'), 'site-b')).toBe(1)
    expect((await get('/api/overview', 'admin')).total).toBe(2)
    expect((await get('/api/kiosks?site=site-b', 'admin')).total).toBe(1)

    // A kiosk is born at site-b (the real ingest path, on the same database).
    const siteB = { ...sampleBirth().site, id: 'site-b', name: '柳湾村便民服务站', kind: 'villageStation' as const }
    t.ingestor.accept(
      'kiosk/v1/kiosk-c/birth',
      encode(sampleBirth({ kioskId: 'kiosk-c', machineType: 'tax', department: 'tax', site: siteB })),
    )
    await t.ingestor.flush()
    const [stored] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM kiosks WHERE site_id = 'site-b'")
    expect(stored?.n).toBe(2)

    // Within the age and before any invalidation, every scope is still served its shared answer.
    expect(kioskCount(await get('/api/sites', 'admin'), 'site-b')).toBe(1)
    expect(kioskCount(await get('/api/sites', 'site'), 'site-b')).toBe(1)
    expect(treeKiosks(await get('/api/sites/tree', 'admin'))).toBe(2)
    expect(mapKiosks(await get('/api/map', 'site'), 'site-b')).toBe(1)
    expect((await get('/api/overview', 'admin')).total).toBe(2)
    // An alert raised or resolved refreshes the views that count alerts, not the kiosk list's directory
    // (with no stale allowance here, the next caller waits for the fresh answer).
    t.views.alertsChanged()
    expect((await get('/api/overview', 'admin')).total).toBe(3)
    expect((await get('/api/kiosks?site=site-b', 'admin')).total).toBe(1)

    t.views.invalidate()
    expect(kioskCount(await get('/api/sites', 'admin'), 'site-b')).toBe(2)
    expect(kioskCount(await get('/api/sites', 'site'), 'site-b')).toBe(2)
    expect(treeKiosks(await get('/api/sites/tree', 'admin'))).toBe(3)
    expect(mapKiosks(await get('/api/map', 'site'), 'site-b')).toBe(2)
    expect((await get('/api/overview', 'admin')).total).toBe(3)
    const list = await get('/api/kiosks?site=site-b', 'admin')
    expect([list.total, list.kiosks.map((k) => k.id).includes('kiosk-c')]).toEqual([2, true])
  })

  it('sends the big views gzipped to a client that takes gzip, the same JSON once unpacked', async () => {
    for (const url of ['/api/sites', '/api/sites/tree', '/api/map']) {
      const plain = await t.app.inject({ url, headers: { cookie: t.cookies.admin } })
      const packed = await t.app.inject({
        url,
        headers: { cookie: t.cookies.admin, 'accept-encoding': 'br;q=1, gzip;q=0.8' },
      })
      expect(plain.headers['content-encoding']).toBeUndefined()
      expect(packed.headers['content-encoding']).toBe('gzip')
      expect(packed.headers.vary).toMatch(/accept-encoding/i)
      expect(JSON.parse(gunzipSync(packed.rawPayload).toString())).toEqual(plain.json())
    }
  })
})

describe('Accept-Encoding', () => {
  it('takes gzip when listed or by *, not when refused with q=0', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true)
    expect(acceptsGzip('GZIP;q=0.5')).toBe(true)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip('gzip;q=0, br')).toBe(false)
    expect(acceptsGzip('identity')).toBe(false)
    expect(acceptsGzip(undefined)).toBe(false)
  })
})

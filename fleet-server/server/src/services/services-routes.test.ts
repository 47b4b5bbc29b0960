import { type HealthPayload, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import type { ServiceKiosksPage, ServiceSummary, ServicesOverview } from '@kiosk-fleet/protocol/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal, Role } from '../auth/roles.ts'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'
import { ServiceAvailabilityRepo } from './service-availability-repo.ts'

// The route-test app seeds kiosk-a (public-security, Epson printer; id-progress and id-receipt
// available, reported at AT + 30 s) and kiosk-b (tax, site-b, no health yet). AT is 00:00 at the sites.
const AT = 1_764_000_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = AT + 10 * HOUR // 2025-11-25 10:00 at the sites: the window is 2025-10-27 … 2025-11-25

type Services = HealthPayload['services']
const up = (serviceId: string) => ({ serviceId, available: true, blockedBy: [] })
const down = (
  serviceId: string,
  reason?: 'peripheral' | 'gatewayDown' | 'identityUnavailable',
  blockedBy: string[] = [],
) => ({
  serviceId,
  available: false,
  blockedBy,
  ...(reason === undefined ? {} : { reason }),
})

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp({ clock: () => NOW })
  const batch = emptyBatch()
  const kiosk = (kioskId: string, state: 'online' | 'offline', site = 'hx-tc01') => {
    batch.births.push({
      kioskId,
      receivedAt: AT,
      payload: sampleBirth({
        kioskId,
        site: { ...sampleBirth().site, id: site, name: `${site} station` },
        peripherals: [
          {
            deviceId: 'idcard',
            deviceClass: 'idCardReader',
            vendor: 'Synjones',
            model: 'SS628',
            serial: 'S1',
            firmware: '1',
          },
        ],
      }),
    })
    batch.states.push({ kioskId, receivedAt: AT, payload: { state, session: 1, ts: AT } })
  }
  const health = (kioskId: string, seq: number, ts: number, services: Services) =>
    batch.health.push({ kioskId, receivedAt: ts, payload: sampleHealth({ seq, ts, services }) })

  health('kiosk-b', 2, AT + 60_000, [
    down('tax-certificate', 'peripheral', ['a4']),
    up('tax-invoice'),
    up('old-queue'), // reported by the kiosk, unknown to the fleet's catalogue
  ])
  kiosk('kiosk-c', 'offline')
  health('kiosk-c', 2, AT + 90_000, [up('id-progress'), down('id-receipt', 'peripheral', ['receipt'])])
  kiosk('kiosk-d', 'online')
  health('kiosk-d', 2, AT + 90_000, [
    down('id-progress', 'gatewayDown'),
    down('id-receipt', 'identityUnavailable'),
    down('household-certificate'),
  ])
  kiosk('kiosk-h', 'online', 'hx-tc02')
  health('kiosk-h', 1, NOW - 40 * DAY, [down('id-progress', 'peripheral')]) // before the window
  health('kiosk-h', 2, NOW - 20 * DAY, [up('id-progress')])
  health('kiosk-h', 3, NOW - 1 * DAY, [down('id-progress', 'peripheral', ['idcard'])])
  health('kiosk-h', 4, NOW - 2 * HOUR, [up('id-progress')])
  await new IngestStore(t.db).writeBatch(batch)
})
afterAll(async () => t.close())

const get = async <T>(role: Role, url: string) => {
  const response = await t.app.inject({ url, headers: { cookie: t.cookies[role] } })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as T
}
const overview = (role: Role) => get<ServicesOverview>(role, '/api/services')
const service = (o: ServicesOverview, id: string): ServiceSummary | undefined =>
  o.departments.flatMap((d) => d.services).find((s) => s.id === id)

describe('GET /api/services', () => {
  it('lists the catalogue by department with names, category and identity, offered or not', async () => {
    const o = await overview('admin')
    expect(o.window).toEqual({ days: 30, from: '2025-10-27', to: '2025-11-25' })
    expect(o.catalogueDigest).toMatch(/^[0-9a-f]{64}$/)
    const ps = o.departments.find((d) => d.id === 'public-security')
    expect(ps).toMatchObject({ known: true, name: { zh: expect.any(String), en: expect.any(String) } })
    expect(ps?.services.find((s) => s.id === 'id-progress')).toMatchObject({
      known: true,
      name: { zh: expect.any(String), en: expect.any(String) },
      category: 'progress',
      identity: expect.any(String),
    })
    expect(service(o, 'passport-progress')).toMatchObject({
      kiosks: 0,
      now: { available: 0, unavailable: 0, unknown: 0 },
      window: { snapshots: 0, available: 0, share: null },
    })
  })

  it('counts kiosks offering each service and what they say now; offline kiosks are unknown', async () => {
    const o = await overview('admin')
    // id-progress: a and h available, d blocked by its gateway, c offline.
    expect(service(o, 'id-progress')).toMatchObject({
      kiosks: 4,
      now: {
        available: 2,
        unavailable: 1,
        unknown: 1,
        reasons: { peripheral: 0, gatewayDown: 1, identityUnavailable: 0, other: 0 },
      },
    })
    // id-receipt: c's printer fault is not counted as unavailable, c being offline.
    expect(service(o, 'id-receipt')?.now).toEqual({
      available: 1,
      unavailable: 1,
      unknown: 1,
      reasons: { peripheral: 0, gatewayDown: 0, identityUnavailable: 1, other: 0 },
    })
    expect(service(o, 'household-certificate')?.now.reasons.other).toBe(1)
    expect(service(o, 'tax-certificate')?.now).toMatchObject({ unavailable: 1, reasons: { peripheral: 1 } })
  })

  it('gives the share of snapshots within the last 30 days in which a service was available', async () => {
    const o = await overview('admin')
    // a ✓, c ✓, d ✗, h ✓ ✗ ✓ (h's snapshot of 40 days ago is outside the window).
    expect(service(o, 'id-progress')?.window).toEqual({ snapshots: 6, available: 4, share: 4 / 6 })
    expect(service(o, 'id-receipt')?.window).toEqual({ snapshots: 3, available: 1, share: 1 / 3 })
  })

  it('lists services kiosks report that the catalogue does not know under department "unknown"', async () => {
    const o = await overview('admin')
    const unknown = o.departments.at(-1)
    expect(unknown).toMatchObject({ id: 'unknown', known: false, name: null })
    expect(unknown?.services).toEqual([
      {
        id: 'old-queue',
        known: false,
        name: null,
        category: null,
        identity: null,
        kiosks: 1,
        now: {
          available: 1,
          unavailable: 0,
          unknown: 0,
          reasons: { peripheral: 0, gatewayDown: 0, identityUnavailable: 0, other: 0 },
        },
        window: { snapshots: 1, available: 1, share: 1 },
      },
    ])
  })

  it("shows a department, site or vendor user only their kiosks' figures", async () => {
    const department = await overview('department') // public-security: a, c, d, h
    expect(service(department, 'id-progress')).toMatchObject({ kiosks: 4, window: { snapshots: 6 } })
    expect(service(department, 'tax-certificate')).toMatchObject({ kiosks: 0, window: { snapshots: 0 } })
    expect(department.departments.some((d) => d.id === 'unknown')).toBe(false)

    const site = await overview('site') // site-b: kiosk-b
    expect(service(site, 'id-progress')).toMatchObject({ kiosks: 0, window: { snapshots: 0 } })
    expect(service(site, 'tax-certificate')).toMatchObject({ kiosks: 1, now: { unavailable: 1 } })
    expect(service(site, 'old-queue')?.kiosks).toBe(1)

    const vendor = await overview('vendor') // Epson: only kiosk-a has its printer
    expect(service(vendor, 'id-progress')).toMatchObject({
      kiosks: 1,
      now: { available: 1 },
      window: { snapshots: 1, available: 1, share: 1 },
    })
  })
})

describe("a site's or vendor's figures, read from its kiosks' kinds of snapshot", () => {
  const principal = (role: 'site' | 'vendor', scope: string): Principal => ({
    userId: `${role}-test`,
    displayName: role,
    role,
    departments: [],
    sites: role === 'site' ? [scope] : [],
    vendors: role === 'vendor' ? [scope] : [],
  })
  const window = { days: 30, from: '2025-10-27', to: '2025-11-25' }

  it("gives kiosk-h's site (three kinds over three days) what the department roll-up gives for that kiosk", async () => {
    const repo = new ServiceAvailabilityRepo(t.db)
    const site = principal('site', 'hx-tc02')
    // h: ✓ on the 5th, ✗ on the 24th, ✓ on the 25th (its snapshot of 40 days ago is outside the window).
    expect(await repo.window(site, window)).toEqual(
      new Map([['id-progress', { snapshots: 3, available: 2, share: 2 / 3 }]]),
    )
    expect(await repo.window(site, window, 'id-receipt')).toEqual(new Map())
    const days = await repo.days(site, window, 'id-progress')
    expect(days.filter((d) => d.snapshots > 0)).toEqual([
      { day: '2025-11-05', snapshots: 1, available: 1, share: 1 },
      { day: '2025-11-24', snapshots: 1, available: 0, share: 0 },
      { day: '2025-11-25', snapshots: 1, available: 1, share: 1 },
    ])
    // A vendor of no kiosk's device sees nothing; Synjones (the reader of a, c, d and h) theirs.
    expect(await repo.window(principal('vendor', 'nobody'), window)).toEqual(new Map())
    const all = await repo.window(principal('vendor', 'synjones'), window)
    const admin = await overview('admin')
    for (const id of ['id-progress', 'id-receipt']) expect(all.get(id), id).toEqual(service(admin, id)?.window)
    expect(all.has('tax-certificate')).toBe(false) // kiosk-b's: no Synjones device there
  })
})

describe('GET /api/services/:id/kiosks', () => {
  const page = (role: Role, query = '', id = 'id-progress') =>
    get<ServiceKiosksPage>(role, `/api/services/${id}/kiosks${query}`)

  it('lists the kiosks offering a service, unavailable first, with reasons and their own 30-day share', async () => {
    const p = await page('admin')
    expect(p.total).toBe(4)
    expect(p.service).toMatchObject({ id: 'id-progress', kiosks: 4 })
    expect(p.kiosks.map((k) => [k.id, k.availability, k.reason])).toEqual([
      ['kiosk-d', 'unavailable', 'gatewayDown'],
      ['kiosk-c', 'unknown', null],
      ['kiosk-a', 'available', null],
      ['kiosk-h', 'available', null],
    ])
    expect(p.kiosks.find((k) => k.id === 'kiosk-h')).toMatchObject({
      state: 'online',
      department: 'public-security',
      site: { id: 'hx-tc02', name: 'hx-tc02 station' },
      window: { snapshots: 3, available: 2, share: 2 / 3 },
    })
  })

  it('pages and filters by availability', async () => {
    const second = await page('admin', '?limit=2&offset=1')
    expect(second.total).toBe(4)
    expect(second.kiosks.map((k) => k.id)).toEqual(['kiosk-c', 'kiosk-a'])
    const available = await page('admin', '?availability=available')
    expect(available.total).toBe(2)
    expect(available.kiosks.map((k) => k.id)).toEqual(['kiosk-a', 'kiosk-h'])
  })

  it("gives each day's share of the window, oldest first", async () => {
    const { days } = await page('admin')
    expect(days).toHaveLength(30)
    expect(days[0]?.day).toBe('2025-10-27')
    expect(days.at(-1)).toEqual({ day: '2025-11-25', snapshots: 4, available: 3, share: 3 / 4 })
    expect(days.at(-2)).toEqual({ day: '2025-11-24', snapshots: 1, available: 0, share: 0 })
    expect(days.find((d) => d.day === '2025-11-05')).toMatchObject({ snapshots: 1, available: 1 })
    expect(days.filter((d) => d.snapshots > 0)).toHaveLength(3)
  })

  it('keeps to the scope, and 404s a service nobody in scope reports that the catalogue does not know', async () => {
    expect((await page('site')).kiosks).toEqual([])
    expect((await page('vendor')).kiosks.map((k) => k.id)).toEqual(['kiosk-a'])
    expect((await page('site', '', 'old-queue')).kiosks.map((k) => k.id)).toEqual(['kiosk-b'])
    for (const [role, id] of [
      ['admin', 'no-such-service'],
      ['department', 'old-queue'],
    ] as const) {
      const response = await t.app.inject({ url: `/api/services/${id}/kiosks`, headers: { cookie: t.cookies[role] } })
      expect(response.statusCode).toBe(404)
      expect(response.json()).toEqual({ code: 'ERR_FLEET_SERVICE_NOT_FOUND', message: `no service ${id}` })
    }
  })
})

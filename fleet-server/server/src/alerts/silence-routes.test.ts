import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

// The route-test app seeds kiosk-a (public-security, site hx-tc01, an Epson receipt printer) and
// kiosk-b (tax, site-b, an HP A4 printer). An admin silences each of them and the whole fleet.
let t: RouteTestApp
const HOUR = 3_600_000

const silence = async (body: Record<string, unknown>) => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/alerts/silences',
    headers: { cookie: t.cookies.admin },
    payload: { durationMs: HOUR, ...body },
  })
  expect(response.statusCode).toBe(201)
  return response.json() as { id: number; reason: string }
}
const visibleTo = async (cookie: string) => {
  const response = await t.app.inject({ url: '/api/alerts/silences', headers: { cookie } })
  expect(response.statusCode).toBe(200)
  return (response.json() as { silences: { reason: string }[] }).silences.map((s) => s.reason).sort()
}

beforeAll(async () => {
  t = await createRouteTestApp({ rolloutsAndSilences: true })
  await silence({ kioskId: 'kiosk-a', reason: 'kiosk-a screen replaced' })
  await silence({ siteId: 'site-b', reason: 'site-b road works' })
  await silence({ rule: 'paperLow', reason: 'paper delivery late everywhere' })
})
afterAll(async () => t.close())

describe('GET /api/alerts/silences', () => {
  it('shows admins and auditors every silence', async () => {
    const all = ['kiosk-a screen replaced', 'paper delivery late everywhere', 'site-b road works']
    expect(await visibleTo(t.cookies.admin)).toEqual(all)
    expect(await visibleTo(t.cookies.auditor)).toEqual(all)
  })

  it('shows others the fleet-wide silences and those of their kiosks and sites only', async () => {
    // A department user: its kiosk-a, not the tax kiosk's site.
    expect(await visibleTo(t.cookies.department)).toEqual(['kiosk-a screen replaced', 'paper delivery late everywhere'])
    // A site user of site-b: its site, not kiosk-a elsewhere.
    expect(await visibleTo(t.cookies.site)).toEqual(['paper delivery late everywhere', 'site-b road works'])
    // The epson vendor: kiosk-a carries its printer; site-b's kiosk has none of its devices.
    expect(await visibleTo(t.cookies.vendor)).toEqual(['kiosk-a screen replaced', 'paper delivery late everywhere'])
  })
})

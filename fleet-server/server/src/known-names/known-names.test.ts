import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp({ rolloutsAndSilences: true })
})
afterAll(async () => t.close())

const post = (url: string, payload: unknown, cookie = t.cookies.admin) =>
  t.app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as Record<string, unknown> })

const rollout = (filter: Record<string, string[]>) => ({
  name: 'typo test',
  artifactId: 'no-such-artifact',
  filter,
  groups: [{ percent: 100 }],
  successThreshold: 0.9,
  errorThreshold: 0.1,
  errorMinSample: 1,
  installMode: 'immediate',
  kioskTimeoutMs: 3_600_000,
})

describe('writes naming unknown departments, sites, kiosks and users are refused', () => {
  it('refuses a rollout target with a mistyped department or site, before anything else is looked at', async () => {
    const department = await post('/api/rollouts', rollout({ departments: ['public-security', 'taxx'] }))
    expect(department.statusCode).toBe(400)
    expect(department.json()).toMatchObject({
      code: 'ERR_FLEET_UNKNOWN_DEPARTMENT',
      message: 'unknown department: "taxx"',
    })
    const sites = await post('/api/rollouts/preview', { artifactId: 'x', filter: { sites: ['site-q', 'site-r'] } })
    expect(sites.json()).toMatchObject({ code: 'ERR_FLEET_UNKNOWN_SITE', message: 'unknown sites: "site-q", "site-r"' })
    // Known names pass on to the service, which then finds no such artifact.
    const known = await post('/api/rollouts', rollout({ departments: ['tax'], sites: ['site-b'] }))
    expect(known.json().code).not.toMatch(/^ERR_FLEET_UNKNOWN_/)
    expect(known.statusCode).toBe(404)
    // A vendor may not manage rollouts: refused before names are checked, so it cannot probe which exist.
    expect((await post('/api/rollouts', rollout({ departments: ['taxx'] }), t.cookies.vendor)).statusCode).toBe(403)
  })

  it('refuses a silence of an unknown site or (for an admin) an unknown kiosk', async () => {
    const body = { reason: 'works', durationMs: 3_600_000 }
    const site = await post('/api/alerts/silences', { ...body, siteId: 'site-zz' })
    expect(site.json()).toMatchObject({ code: 'ERR_FLEET_UNKNOWN_SITE', message: 'unknown site: "site-zz"' })
    const kiosk = await post('/api/alerts/silences', { ...body, kioskId: 'kiosk-zz' })
    expect(kiosk.json()).toMatchObject({ code: 'ERR_FLEET_KIOSK_NOT_FOUND', message: 'unknown kiosk: "kiosk-zz"' })
    expect((await post('/api/alerts/silences', { ...body, kioskId: 'kiosk-a' })).statusCode).toBe(201)
    // A site user gets the scope's answer for any site not theirs, known or not: it reveals nothing.
    for (const siteId of ['site-zz', 'hx-tc01']) {
      const other = await post('/api/alerts/silences', { ...body, siteId }, t.cookies.site)
      expect(other.json(), siteId).toMatchObject({ code: 'ERR_FLEET_SILENCE_OUT_OF_SCOPE' })
    }
  })

  it('refuses to assign an alert to a user who does not exist', async () => {
    const { alerts } = (await t.app.inject({ url: '/api/alerts', headers: { cookie: t.cookies.admin } })).json() as {
      alerts: { id: number }[]
    }
    const id = alerts[0]?.id
    expect(id).toBeDefined()
    const unknown = await post(`/api/alerts/${id}/assign`, { userId: 'dorra' })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json()).toMatchObject({ code: 'ERR_FLEET_UNKNOWN_USER', message: 'unknown user: "dorra"' })
    expect((await post(`/api/alerts/${id}/assign`, { userId: 'dora' })).json()).toMatchObject({ assignedTo: 'dora' })
  })
})

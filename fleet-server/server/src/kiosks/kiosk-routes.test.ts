import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, METRICS_TOKEN, type RouteTestApp } from '../route-test-app.ts'

let t: RouteTestApp
let admin: { cookie: string }
beforeAll(async () => {
  t = await createRouteTestApp()
  admin = { cookie: t.cookies.admin }
})
afterAll(async () => t.close())

describe('kiosk routes', () => {
  it('lists kiosks with site and peripherals, and filters', async () => {
    const all = await t.app.inject({ url: '/api/kiosks', headers: admin })
    expect(all.statusCode).toBe(200)
    expect(all.json().kiosks.map((k: { id: string }) => k.id)).toEqual(['kiosk-a', 'kiosk-b'])
    expect(all.json().kiosks[0]).toMatchObject({ id: 'kiosk-a', state: 'online', site: { county: '花溪县' } })
    expect((await t.app.inject({ url: '/api/kiosks?state=offline', headers: admin })).json().kiosks).toHaveLength(0)
    expect((await t.app.inject({ url: '/api/kiosks?machineType=tax', headers: admin })).json().kiosks).toHaveLength(1)
    const page = (await t.app.inject({ url: '/api/kiosks?limit=1&offset=1', headers: admin })).json().kiosks
    expect(page.map((k: { id: string }) => k.id)).toEqual(['kiosk-b'])
  })

  it('rejects a bad filter with a stable code', async () => {
    const response = await t.app.inject({ url: '/api/kiosks?state=sleeping', headers: admin })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
  })

  it('shows one kiosk, its health history and 404 for an unknown one', async () => {
    const kiosk = await t.app.inject({ url: '/api/kiosks/kiosk-a', headers: admin })
    expect(kiosk.json().peripherals.map((p: { deviceId: string }) => p.deviceId)).toEqual(['idcard', 'receipt'])
    expect(kiosk.json().services).toHaveLength(2)
    const history = await t.app.inject({ url: '/api/kiosks/kiosk-a/health?limit=5', headers: admin })
    expect(history.json().history[0]).toMatchObject({ seq: 2, health: { uptimeS: 30 } })
    const missing = await t.app.inject({ url: '/api/kiosks/nobody', headers: admin })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ code: 'ERR_FLEET_KIOSK_NOT_FOUND', message: 'no kiosk nobody' })
  })

  it('sends a command with an expiry, returns the answer and audits it', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-a/commands/ping',
      payload: { ttlMs: 5000 },
      headers: admin,
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ok', data: { appVersion: '0.1.0' } })
    const request = JSON.parse(t.published.at(-1)?.payload ?? '{}') as { issuedAt: number; expiresAt: number }
    expect(request.expiresAt - request.issuedAt).toBe(5000)
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM commands ORDER BY requested_at DESC LIMIT 1')
    expect(row?.status).toBe('ok')
    const [entry] = await t.audit.list({ limit: 1, action: 'command.ping' })
    expect(entry).toMatchObject({ actor: 'ada', target: 'kiosk-a', outcome: 'ok' })
  })

  it('answers 504 when the kiosk does not respond in time, and audits the timeout', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-a/commands/get-health',
      headers: admin,
    })
    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ status: 'timeout' })
    expect((await t.audit.list({ limit: 1, action: 'command.get-health' }))[0]?.outcome).toBe('timeout')
  })

  it('checks command params against the contract before sending', async () => {
    const before = t.published.length
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-a/commands/ping',
      payload: { params: { format: 'disk' } },
      headers: admin,
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
    expect(t.published.length).toBe(before)
  })

  it('rejects unknown commands', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-a/commands/format-disk',
      headers: admin,
    })
    expect(response.statusCode).toBe(400)
  })

  it('counts the fleet by state, machine type, department and county', async () => {
    const overview = (await t.app.inject({ url: '/api/overview', headers: admin })).json()
    expect(overview).toMatchObject({ total: 2, online: 2, offline: 0, faulted: 0, openAlerts: { warning: 1 } })
    expect(overview.byMachineType.map((b: { key: string; total: number }) => [b.key, b.total])).toEqual([
      ['id', 1],
      ['tax', 1],
    ])
    expect(overview.byCounty).toEqual([{ key: '青州市 花溪县', total: 2, online: 2, offline: 0, faulted: 0 }])
    const scoped = (await t.app.inject({ url: '/api/overview', headers: { cookie: t.cookies.site } })).json()
    expect(scoped).toMatchObject({ total: 1, openAlerts: { warning: 0 } })
  })

  it('lists sites with counts, serves the dashboard, readiness, metrics and OpenAPI', async () => {
    const sites = (await t.app.inject({ url: '/api/sites', headers: admin })).json().sites
    expect(sites.map((s: { id: string; kiosks: number }) => [s.id, s.kiosks])).toEqual([
      ['hx-tc01', 1],
      ['site-b', 1],
    ])
    const page = await t.app.inject({ url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('自助终端运维平台')
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', broker: true, database: true })
    const metrics = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(metrics.body).toMatch(/fleet_kiosks\{state="online",machine_type="id"\} 1/)
    expect(metrics.body).toContain('fleet_ingest_messages_total{outcome="written"}')
    const openapi = (await t.app.inject({ url: '/docs/json' })).json()
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/kiosks', '/api/kiosks/{id}/commands/{command}', '/api/audit']),
    )
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp()
})
afterAll(async () => t.close())

describe('screenshots over HTTP', () => {
  it('keeps the picture apart from the command log, shows it to IT staff and audits who looked', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-b/commands/screenshot',
      headers: { cookie: t.cookies.site },
      payload: { params: { maxSide: 640 } },
    })
    expect(answer.statusCode).toBe(200)
    const body = answer.json()
    expect(body).toMatchObject({ status: 'ok', data: { taken: true, mimeType: 'image/png', width: 1, height: 1 } })
    expect(body.data.image).toBeUndefined()
    expect(body.data.bytes).toBeGreaterThan(0)

    const [row] = await t.db.query<{ response: unknown; requested_by: string }>(
      "SELECT response, requested_by FROM commands WHERE command = 'screenshot'",
    )
    expect(row?.requested_by).toBe('sam')
    expect(JSON.stringify(row?.response)).not.toContain('iVBOR')

    const meta = await t.app.inject({ url: '/api/kiosks/kiosk-b/screenshot', headers: { cookie: t.cookies.admin } })
    expect(meta.json()).toMatchObject({ requestedBy: 'sam', mimeType: 'image/png', width: 1, height: 1 })
    const image = await t.app.inject({
      url: '/api/kiosks/kiosk-b/screenshot/image',
      headers: { cookie: t.cookies.admin },
    })
    expect(image.headers['content-type']).toBe('image/png')
    expect(image.rawPayload.subarray(1, 4).toString()).toBe('PNG')
    const audit = await t.db.query<{ action: string; actor: string }>(
      "SELECT action, actor FROM audit_log WHERE action IN ('command.screenshot', 'screenshot.view') ORDER BY seq",
    )
    expect(audit).toEqual([
      { action: 'command.screenshot', actor: 'sam' },
      { action: 'screenshot.view', actor: 'ada' },
    ])
  })

  it('refuses departments and vendors, on one kiosk and on a site, and sends them nothing', async () => {
    const before = t.published.length
    for (const role of ['department', 'vendor'] as const) {
      const one = await t.app.inject({
        method: 'POST',
        url: '/api/kiosks/kiosk-a/commands/screenshot',
        headers: { cookie: t.cookies[role] },
      })
      expect(one.statusCode).toBe(403)
      expect(one.json()).toMatchObject({ code: 'ERR_FLEET_FORBIDDEN' })
      const batch = await t.app.inject({
        method: 'POST',
        url: '/api/commands/screenshot',
        headers: { cookie: t.cookies[role] },
        payload: { target: { kioskIds: ['kiosk-a'] } },
      })
      expect(batch.statusCode).toBe(403)
    }
    expect(t.published.length).toBe(before)
  })

  it('answers a stable code when a kiosk has no screenshot', async () => {
    const none = await t.app.inject({ url: '/api/kiosks/kiosk-a/screenshot', headers: { cookie: t.cookies.admin } })
    expect(none.statusCode).toBe(404)
    expect(none.json()).toMatchObject({ code: 'ERR_FLEET_SCREENSHOT_NOT_FOUND' })
  })
})

// The site map at the seed city's size — 135 town centres, 2,744 village stations, 20,000 kiosks —
// in Chromium: clusters instead of 2,879 markers, a cluster click expands it, a site links to its
// kiosks, no request leaves the fleet-server without a base map; and the offline tile folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import type { MapSites } from '@kiosk-fleet/protocol/http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { startStack, type TestStack } from '../support/stack.ts'

const TOWNS = 135
const STATIONS = 2744
const KIOSKS = 20_000

/**
 * 135 towns over about 170 km around 26.6° N 106.7° E, each centre with 20 or 21 stations within a
 * few kilometres; kiosk i at site i mod 2,879, offline when i % 40 = 0, out of paper when i % 50 = 0.
 * Sites keep 24 h opening hours (so the map does not depend on the day the test runs) except every
 * tenth station, which keeps the fleet's default hours.
 */
const SEED = `
  INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude)
  SELECT CASE WHEN st = 0 THEN 'tc-' || tw ELSE 'vs-' || tw || '-' || st END,
         CASE WHEN st = 0 THEN '镇' || tw || '便民服务中心' ELSE '村' || tw || '-' || st || '便民服务站' END,
         CASE WHEN st = 0 THEN 'townCentre' ELSE 'villageStation' END,
         '青州市', '县' || (tw % 12 + 1), '镇' || tw,
         25.9 + (tw / 12) * 0.13 + CASE WHEN st = 0 THEN 0 ELSE 0.03 * sin(st * 1.7 + tw) END,
         105.9 + (tw % 12) * 0.14 + CASE WHEN st = 0 THEN 0 ELSE 0.035 * cos(st * 2.3 + tw) END
  FROM generate_series(0, ${TOWNS - 1}) AS tw
  CROSS JOIN LATERAL generate_series(0, CASE WHEN tw < 44 THEN 21 ELSE 20 END) AS st;
  INSERT INTO site_schedules (site_id, opening_hours, updated_by)
  SELECT id, (SELECT jsonb_object_agg(d::text, '[{"start":"00:00","end":"24:00"}]'::jsonb)
              FROM generate_series(0, 6) AS d), 'test'
  FROM sites WHERE kind = 'townCentre' OR abs(hashtext(id)) % 10 <> 0;
  WITH s AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM sites)
  INSERT INTO kiosks (id, machine_type, department, site_id, app_version, state, last_seen_at)
  SELECT 'k' || lpad(i::text, 5, '0'), 'id', 'public-security', s.id, '2.0.0',
         CASE WHEN i % 40 = 0 THEN 'offline' ELSE 'online' END, now()
  FROM generate_series(1, ${KIOSKS}) AS i JOIN s ON s.n = i % ${TOWNS + STATIONS};
  INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, model, serial, firmware, status)
  SELECT 'k' || lpad(i::text, 5, '0'), 'receipt', 'receiptPrinter', 'Epson', 'TM-T82III', 'E' || i, '30.02',
         CASE WHEN i % 50 = 0 THEN '{"state":"userError","paper":"out"}'::jsonb ELSE '{"state":"online","paper":"full"}'::jsonb END
  FROM generate_series(1, ${KIOSKS}) AS i;
`

async function login(page: Page, url: string) {
  await page.goto(`${url}/`)
  await page.fill('#login input[name=username]', 'admin')
  await page.fill('#login input[name=password]', TEST_ADMIN_PASSWORD)
  await page.click('#login button[type=submit]')
  await page.locator('#who', { hasText: 'admin' }).waitFor()
}

/** Every URL the page asks for, to check none leaves the fleet-server. */
function recordRequests(page: Page): string[] {
  const urls: string[] = []
  page.on('request', (request) => urls.push(request.url()))
  return urls
}

describe('site map at 2,879 sites in Chromium, no base map', () => {
  let stack: TestStack
  let browser: Browser

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    await stack.fleet().db.exec(SEED)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  it('answers every site in one compact request', async () => {
    const started = performance.now()
    const response = await fetch(`${stack.fleet().httpUrl}/api/map`, { headers: { cookie: stack.adminCookie } })
    const body = await response.text()
    const ms = performance.now() - started
    const map = JSON.parse(body) as MapSites
    expect(map.sites).toHaveLength(TOWNS + STATIONS)
    expect(map.sites.reduce((sum, s) => sum + s[5], 0)).toBe(KIOSKS)
    console.log(
      `GET /api/map: ${map.sites.length} sites, ${body.length} bytes (${Buffer.byteLength(body)} UTF-8), ${ms.toFixed(0)} ms`,
    )
  })

  it('draws clusters, expands one on click, and links a site to its kiosks, landscape', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const urls = recordRequests(page)
    await login(page, stack.fleet().httpUrl)
    await page.click('#nav a[data-route=map]')
    await page.locator('.site-cluster').first().waitFor()
    const map = await stack.api<MapSites>('/api/map')
    const icons = await page.locator('.leaflet-marker-icon').count()
    // Clusters, not a marker per site.
    expect(icons).toBeGreaterThan(0)
    expect(icons).toBeLessThan(map.sites.length / 10)
    const legend = await page.locator('.map-legend').textContent()
    const offline = map.sites.filter((s) => s[8] === 'offline').length
    expect(offline).toBeGreaterThan(0)
    expect(legend).toContain(`有离线 ${offline}`)
    // A cluster's ring names the statuses of its sites; its colour is the worst.
    expect(await page.locator('.site-cluster.status-offline').count()).toBeGreaterThan(0)
    await screenshot(page, 'map-clusters-landscape')
    expect(await seriousA11yViolations(page)).toEqual([])

    // Clicking a cluster zooms into it: its icon goes, smaller clusters or sites take its place,
    // until sites show one by one.
    for (let i = 0; i < 8 && (await page.locator('.site-marker').count()) === 0; i++) {
      const cluster = page.locator('.site-cluster').first()
      const title = await cluster.locator('div').getAttribute('title')
      await cluster.click()
      await expect
        .poll(async () =>
          page.locator('.site-cluster div').evaluateAll((els) => els.map((e) => e.getAttribute('title'))),
        )
        .not.toContain(title)
    }
    const marker = page.locator('.site-marker').first()
    await marker.waitFor()
    await screenshot(page, 'map-expanded-landscape')

    await marker.click()
    const popup = page.locator('.site-popup')
    await popup.waitFor()
    const siteId = await popup.getAttribute('data-site-id')
    const site = map.sites.find((s) => s[0] === siteId)
    expect(site).toBeDefined()
    expect(await popup.textContent()).toContain(site?.[1])
    await screenshot(page, 'map-site-popup-landscape')
    await popup.locator('a').click()
    const { total } = await stack.api<{ total: number }>(`/api/kiosks?site=${siteId}&limit=1`)
    expect(total).toBe(site?.[5])
    await page
      .locator('.pager .range', { hasText: `共 ${total} 条` })
      .first()
      .waitFor()
    expect(await page.evaluate(() => location.hash)).toBe('#/kiosks')
    expect(await page.locator('table.kiosk-table tbody tr').count()).toBe(total)

    // Nothing left the fleet-server: no tile, script, style or font from anywhere else.
    const origin = new URL(stack.fleet().httpUrl).origin
    expect(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([])
    expect(urls.some((u) => u.endsWith('/vendor/leaflet/leaflet.js'))).toBe(true)
    await page.close()
  })

  it('fits a portrait screen', async () => {
    const page = await browser.newPage({ viewport: { width: 430, height: 932 }, locale: 'zh-CN' })
    const urls = recordRequests(page)
    await login(page, stack.fleet().httpUrl)
    await page.click('#nav a[data-route=map]')
    await page.locator('.site-cluster').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(430)
    await screenshot(page, 'map-clusters-portrait')
    const origin = new URL(stack.fleet().httpUrl).origin
    expect(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([])
    await page.close()
  })
})

/** A 256×256 PNG of one colour (RGB), made here: no binary fixture. */
function solidPng([r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'ascii')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(256, 0)
  ihdr.writeUInt32BE(256, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.alloc(1 + 256 * 3)
  for (let x = 0; x < 256; x++) row.set([r, g, b], 1 + x * 3)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: 256 }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The Web Mercator tile holding a point at zoom z. */
function tileOf(lat: number, lon: number, z: number): [number, number] {
  const n = 2 ** z
  const s = Math.sin((lat * Math.PI) / 180)
  return [Math.floor(((lon + 180) / 360) * n), Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n)]
}

describe('site map over the offline tile folder', () => {
  const Z = 8
  let stack: TestStack
  let browser: Browser
  const served: string[] = []

  beforeAll(async () => {
    const tileDir = mkdtempSync(join(tmpdir(), 'map-tiles-'))
    const [x, y] = tileOf(26.6, 106.7, Z)
    for (const [dx, colour] of [
      [-1, [200, 220, 240]],
      [0, [210, 235, 210]],
      [1, [240, 225, 200]],
    ] as Array<[number, [number, number, number]]>) {
      mkdirSync(join(tileDir, String(Z), String(x + dx)), { recursive: true })
      writeFileSync(join(tileDir, String(Z), String(x + dx), `${y}.png`), solidPng(colour))
      served.push(`/tiles/${Z}/${x + dx}/${y}.png`)
    }
    stack = await startStack(
      { broker: 'embedded-aedes', db: 'pglite' },
      { dashboard: { baseMap: 'folder', tileDir, maxZoom: Z, tileAttribution: '测试瓦片' } },
    )
    await stack.fleet().db.exec(`
      INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude) VALUES
        ('tc-a', '甲镇便民服务中心', 'townCentre', '青州市', '甲县', '甲镇', 26.58, 106.68),
        ('vs-b', '乙村便民服务站', 'villageStation', '青州市', '甲县', '甲镇', 26.62, 106.72);
      INSERT INTO kiosks (id, machine_type, department, site_id, state) VALUES
        ('t1', 'id', 'public-security', 'tc-a', 'online'), ('t2', 'id', 'public-security', 'vs-b', 'online');
    `)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  it('draws the tiles the fleet-server serves from the folder, and nothing from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    const urls = recordRequests(page)
    const csp = page.waitForResponse((r) => r.url().endsWith('/')).then((r) => r.headers()['content-security-policy'])
    await login(page, stack.fleet().httpUrl)
    expect(await csp).toContain("img-src 'self' data:;")
    await page.click('#nav a[data-route=map]')
    // Both sites at zoom 8 (the folder's deepest): one cluster of two.
    await page.locator('.site-cluster', { hasText: '2' }).waitFor()
    await expect
      .poll(() =>
        page
          .locator('img.leaflet-tile-loaded')
          .evaluateAll((imgs) => imgs.map((i) => new URL((i as HTMLImageElement).src).pathname)),
      )
      .toEqual(expect.arrayContaining(served))
    expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('测试瓦片')
    await screenshot(page, 'map-tile-folder-landscape')
    const origin = new URL(stack.fleet().httpUrl).origin
    expect(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([])
    await page.close()
  })
})

// The kiosk list, site tree and alert history of the dashboard at the seed city's size: 20,000
// kiosks on 135 town centres and 2,700 village stations, seeded with generate_series, in Chromium,
// landscape and portrait.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { startStack, type TestStack } from '../support/stack.ts'

const N = 20_000
/** Kiosk i is offline when i % 40 = 0 and out of paper when i % 50 = 0; site as below. */
const offline = Array.from({ length: N }, (_, j) => j + 1).filter((i) => i % 40 === 0).length

describe('fleet views at 20,000 kiosks in Chromium', () => {
  let stack: TestStack
  let browser: Browser

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    await stack.fleet().db.exec(`
      INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude)
      SELECT CASE WHEN st = 0 THEN 'tc-' || tw ELSE 'vs-' || tw || '-' || st END,
             CASE WHEN st = 0 THEN '镇' || tw || '便民服务中心' ELSE '村' || tw || '-' || st || '便民服务站' END,
             CASE WHEN st = 0 THEN 'townCentre' ELSE 'villageStation' END,
             '青州市', '县' || (tw % 12 + 1), '镇' || tw, 26.5 + tw * 0.01 + st * 0.001, 106.6 + tw * 0.01
      FROM generate_series(0, 134) AS tw CROSS JOIN generate_series(0, 20) AS st;
      INSERT INTO kiosks (id, machine_type, department, site_id, app_version, state, last_seen_at)
      SELECT 'k' || lpad(i::text, 5, '0'),
             (ARRAY['id','license','tax','social-security','comprehensive'])[i % 5 + 1],
             (ARRAY['public-security','market-regulation','tax','human-resources','government-services'])[i % 5 + 1],
             CASE WHEN (i / 135) % 21 = 0 THEN 'tc-' || (i % 135) ELSE 'vs-' || (i % 135) || '-' || ((i / 135) % 21) END,
             '2.0.0', CASE WHEN i % 40 = 0 THEN 'offline' ELSE 'online' END, now()
      FROM generate_series(1, ${N}) AS i;
      INSERT INTO kiosk_health (kiosk_id, health_seq, last_health)
      SELECT 'k' || lpad(i::text, 5, '0'), 1,
             jsonb_build_object('services', jsonb_build_array(
               jsonb_build_object('serviceId', 'id-progress', 'available', i % 30 <> 0, 'blockedBy', '[]'::jsonb)))
      FROM generate_series(1, ${N}) AS i;
      INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, model, serial, firmware, status)
      SELECT 'k' || lpad(i::text, 5, '0'), 'receipt', 'receiptPrinter', 'Epson', 'TM-T82III', 'E' || i, '30.02',
             CASE WHEN i % 50 = 0 THEN '{"state":"userError","paper":"out"}'::jsonb ELSE '{"state":"online","paper":"full"}'::jsonb END
      FROM generate_series(1, ${N}) AS i;
      INSERT INTO alerts (rule, kiosk_id, device_id, severity, state, latched, message, site_id, raised_at, resolved_at)
      SELECT 'paperOut', k.id, 'receipt', 'critical', CASE WHEN j % 2 = 0 THEN 'resolved' ELSE 'active' END, true,
             'receipt printer out of paper', k.site_id, now() - j * interval '1 minute',
             CASE WHEN j % 2 = 0 THEN now() END
      FROM generate_series(1, 3000) AS j JOIN kiosks k ON k.id = 'k' || lpad(j::text, 5, '0');
    `)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  async function login(page: Page) {
    await page.goto(`${stack.fleet().httpUrl}/`)
    await page.fill('#login input[name=username]', 'admin')
    await page.fill('#login input[name=password]', TEST_ADMIN_PASSWORD)
    await page.click('#login button[type=submit]')
    await page.locator('#who', { hasText: 'admin' }).waitFor()
  }

  it('searches, filters and pages the kiosks, with the site tree, landscape', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    await login(page)
    await expect.poll(() => page.locator('#summary').textContent()).toMatch(/终端\s*20000/)
    await page.click('#nav a[data-route=kiosks]')
    await page.locator('.pager .range', { hasText: '第 1–50 条，共 20000 条' }).first().waitFor()
    expect(await page.locator('table.kiosk-table tbody tr').count()).toBe(50)
    expect(await page.locator('.site-tree button.toggle').count()).toBe(12 + 135)
    await screenshot(page, 'fleet-views-kiosks-landscape')

    await page.locator('.pager button.next').first().click()
    await page.locator('.pager .range', { hasText: '第 51–100 条，共 20000 条' }).first().waitFor()

    await page.selectOption('.list-filters select[name=state]', 'offline')
    await page
      .locator('.pager .range', { hasText: `共 ${offline} 条` })
      .first()
      .waitFor()
    expect(await page.locator('table.kiosk-table tbody tr .badge.offline').count()).toBe(50)

    // A county, then one of its towns, from the tree: the filter of the list follows.
    await page.click('.site-tree li[data-county="县3"] > .branch button.node')
    const county = await stack.api<{ total: number }>(
      `/api/kiosks?state=offline&county=${encodeURIComponent('县3')}&limit=1`,
    )
    await page
      .locator('.pager .range', { hasText: `共 ${county.total} 条` })
      .first()
      .waitFor()
    await page.click('.site-tree li[data-town="镇2"] > .branch button.node')
    const town = await stack.api<{ total: number }>(
      `/api/kiosks?state=offline&town=${encodeURIComponent('镇2')}&limit=1`,
    )
    await page
      .locator('.pager .range', { hasText: `共 ${town.total} 条` })
      .first()
      .waitFor()
    expect(await page.locator('.site-tree button.node[aria-current=true]').textContent()).toContain('镇2')

    await page.click('.list-filters button[type=button]')
    await page.fill('.list-filters input[name=q]', 'k0123')
    await page.press('.list-filters input[name=q]', 'Enter')
    await page.locator('.pager .range', { hasText: '共 10 条' }).first().waitFor()
    await page.selectOption('.list-filters select[name=fault]', 'true')
    await page.locator('tr.kiosk[data-kiosk-id="k01234"]').waitFor({ state: 'detached' })
    await page.locator('.empty').waitFor()
    await page.fill('.list-filters input[name=q]', '')
    await page.press('.list-filters input[name=q]', 'Enter')
    await page.locator('.pager .range', { hasText: '共 400 条' }).first().waitFor()
    await page.locator('tr.kiosk td.devices .status.bad', { hasText: '缺纸' }).first().waitFor()
    await screenshot(page, 'fleet-views-kiosks-faults')
    expect(await seriousA11yViolations(page)).toEqual([])

    // Alert history: open by default, every state on request, paged with the total.
    await page.click('#nav a[data-route=alerts]')
    await page.locator('.pager .range', { hasText: '第 1–50 条，共 1500 条' }).first().waitFor()
    await page.selectOption('.list-filters select[name=state]', 'all')
    await page.locator('.pager .range', { hasText: '共 3000 条' }).first().waitFor()
    await page.selectOption('.list-filters select[name=state]', 'resolved')
    await page.locator('.pager .range', { hasText: '共 1500 条' }).first().waitFor()
    expect(await page.locator('table.alerts button.ack').count()).toBe(0)
    await screenshot(page, 'fleet-views-alerts-landscape')
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.close()
  })

  it('stacks the tree over the list on a portrait screen', async () => {
    const page = await browser.newPage({ viewport: { width: 810, height: 1280 }, locale: 'zh-CN' })
    await login(page)
    await page.click('#nav a[data-route=kiosks]')
    await page.locator('.pager .range', { hasText: '共 20000 条' }).first().waitFor()
    // Both boxes from one layout (a live update re-renders the view between two separate reads).
    const boxes = await page.evaluate(async () => {
      await document.fonts.ready
      const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect()
      const [tree, list] = [box('.site-tree'), box('.kiosk-list')]
      return { treeBottom: tree?.bottom ?? Number.NaN, listTop: list?.top ?? Number.NaN }
    })
    expect(boxes.treeBottom, JSON.stringify(boxes)).toBeLessThanOrEqual(boxes.listTop)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width).toBeLessThanOrEqual(810)
    await screenshot(page, 'fleet-views-kiosks-portrait')
    await page.close()
  })
})

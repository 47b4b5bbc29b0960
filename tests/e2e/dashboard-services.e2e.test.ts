import { emptyBatch, IngestStore } from '@fleet/server'
import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import { type HealthPayload, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const DAY = 86_400_000

type Service = HealthPayload['services'][number]
type Reason = Service['reason']

/**
 * Kiosks that exist only as what they reported: 30 days of health (four snapshots a day) written
 * through the fleet's ingest store, so the 30-day column has history a live kiosk cannot make in a test.
 * `down(id, day)` says whether (and why) a service was unavailable that many days ago (0: now).
 */
interface SimulatedKiosk {
  id: string
  department: string
  machineType: 'id' | 'tax' | 'social-security' | 'comprehensive' | 'license'
  state: 'online' | 'offline'
  services: string[]
  down?: (serviceId: string, daysAgo: number, snapshot: number) => Reason | false
}

const SIMULATED: SimulatedKiosk[] = [
  {
    id: 'sim-tax-01',
    department: 'tax',
    machineType: 'tax',
    state: 'online',
    services: ['tax-certificate', 'tax-invoice', 'iit-records', 'queue-ticket'],
    // The A4 printer was out of paper for most of three days last week.
    down: (s, d, n) => (s === 'tax-certificate' && d >= 5 && d <= 7 && n > 0 ? 'peripheral' : false),
  },
  {
    id: 'sim-tax-02',
    department: 'tax',
    machineType: 'tax',
    state: 'online',
    services: ['tax-certificate', 'tax-invoice', 'iit-records'],
    // The tax bureau's gateway fails now, and failed for a morning two weeks ago.
    down: (s, d, n) => (s === 'tax-invoice' && (d === 0 || (d === 14 && n < 2)) ? 'gatewayDown' : false),
  },
  {
    id: 'sim-hrss-01',
    department: 'hrss',
    machineType: 'social-security',
    state: 'online',
    services: ['ss-certificate', 'pension-payments', 'ss-payment-details', 'mi-certificate'],
    down: (s, d) => (s === 'ss-certificate' && d === 0 ? 'identityUnavailable' : false),
  },
  {
    id: 'sim-hf-01',
    department: 'housing-fund',
    machineType: 'comprehensive',
    state: 'offline',
    services: ['hf-account-info', 'hf-deposit-certificate', 'hf-loan-progress'],
  },
  {
    id: 'sim-ps-01',
    department: 'public-security',
    machineType: 'id',
    state: 'online',
    services: ['id-progress', 'household-certificate', 'passport-progress'],
    // The household register's gateway was down for ten days.
    down: (s, d) => (s === 'household-certificate' && d >= 10 && d < 20 ? 'gatewayDown' : false),
  },
  {
    id: 'sim-mr-01',
    department: 'market-regulation',
    machineType: 'license',
    state: 'online',
    // legacy-queue: an old agent's service the fleet's catalogue no longer has.
    services: ['license-print', 'enterprise-info', 'legacy-queue'],
  },
]

async function seedSimulatedKiosks(stack: TestStack, now: number): Promise<void> {
  const batch = emptyBatch()
  for (const [i, kiosk] of SIMULATED.entries()) {
    const site = {
      ...sampleBirth().site,
      id: `sim-site-${i + 1}`,
      name: `模拟便民服务站 ${i + 1}`,
      kind: 'villageStation' as const,
    }
    batch.births.push({
      kioskId: kiosk.id,
      receivedAt: now - 30 * DAY,
      payload: sampleBirth({
        kioskId: kiosk.id,
        department: kiosk.department,
        machineType: kiosk.machineType,
        site,
        ts: now - 30 * DAY,
      }),
    })
    batch.states.push({ kioskId: kiosk.id, receivedAt: now, payload: { state: kiosk.state, session: 1, ts: now } })
    let seq = 1
    for (let daysAgo = 29; daysAgo >= 0; daysAgo--) {
      for (let n = 0; n < 4; n++) {
        // Snapshots at 09:00, 11:00, 13:00 and 15:00 at the sites (UTC+08:00), never after now.
        const midnight = Math.floor((now + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000 - daysAgo * DAY
        const ts = Math.min(now - (4 - n) * 60_000, midnight + (9 + 2 * n) * 3_600_000)
        const services = kiosk.services.map((serviceId): Service => {
          const reason = kiosk.down?.(serviceId, daysAgo, n) ?? false
          return reason
            ? { serviceId, available: false, blockedBy: reason === 'peripheral' ? ['a4'] : [], reason }
            : { serviceId, available: true, blockedBy: [] }
        })
        batch.health.push({ kioskId: kiosk.id, receivedAt: ts, payload: sampleHealth({ seq: seq++, ts, services }) })
      }
    }
  }
  await new IngestStore(stack.fleet().db).writeBatch(batch)
}

describe('fleet dashboard services page in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  const agents: KioskAgent[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    browser = await launchChromium()
    for (const [id, overrides] of [
      ['svc-id-01', { catalogue: { offer: ['id-progress', 'id-receipt'] } }],
      ['svc-id-02', { catalogue: { offer: ['id-progress', 'id-receipt'] } }],
    ] as const) {
      const agent = createKioskAgent({ config: testAgentConfig(id, stack.mqttUrl, overrides), logger: quietLogger })
      await agent.start()
      agents.push(agent)
    }
    await waitFor('both kiosks online with their services', async () => {
      const { kiosks } = await stack.api<{ kiosks: { state: string; services: unknown[] }[] }>('/api/kiosks')
      return kiosks.length === 2 && kiosks.every((k) => k.state === 'online' && k.services.length === 2)
    })
    await seedSimulatedKiosks(stack, Date.now())
  })
  afterAll(async () => {
    await browser?.close()
    for (const agent of agents) await agent.stop().catch(() => undefined)
    await stack?.stop()
  })

  async function logIn(page: Page) {
    await page.goto(`${stack.fleet().httpUrl}/`)
    await page.fill('#login input[name=username]', 'admin')
    await page.fill('#login input[name=password]', TEST_ADMIN_PASSWORD)
    await page.click('#login button[type=submit]')
    await page.locator('#who', { hasText: 'admin' }).waitFor()
  }

  it('shows the catalogue by department with kiosks, availability now and over 30 days, and who offers a service', async () => {
    // One live kiosk's receipt printer runs out of paper (id-receipt unavailable), the other goes offline.
    const receipt = agents[0]?.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'userError', paper: 'out' })
    await agents[1]?.stop()
    await waitFor('paper out and the second kiosk offline', async () => {
      const { kiosks } = await stack.api<{ kiosks: { id: string; state: string; services: Service[] }[] }>(
        '/api/kiosks',
      )
      const first = kiosks.find((k) => k.id === 'svc-id-01')
      const second = kiosks.find((k) => k.id === 'svc-id-02')
      return (
        second?.state === 'offline' &&
        first?.services.some((s) => s.serviceId === 'id-receipt' && !s.available) === true
      )
    })

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    await logIn(page)
    await page.click('#nav a[data-route=services]')
    const receiptRow = page.locator('tr[data-service-id="id-receipt"]')
    await receiptRow.waitFor()
    // Two kiosks offer it: one is out of paper, the other offline (unknown).
    expect(await receiptRow.locator('td.offering').textContent()).toBe('2')
    expect(await receiptRow.locator('td.now').textContent()).toMatch(/0 \/ 1.*外设 1/)
    expect(await receiptRow.locator('td.unknown').textContent()).toBe('1')
    // 30 days: sim-tax-01's printer was out of paper on 3 × 3 of its 120 snapshots.
    expect(await page.locator('tr[data-service-id="tax-certificate"] .share-value').textContent()).toBe('96.2%')
    expect(await page.locator('tr[data-service-id="tax-invoice"] td.now').textContent()).toMatch(
      /1 \/ 2.*部门接口故障 1/,
    )
    expect(await page.locator('tr[data-service-id="ss-certificate"] td.now').textContent()).toContain(
      '身份核验不可用 1',
    )
    expect(await page.locator('tr[data-service-id="hf-account-info"] td.unknown').textContent()).toBe('1')
    // A service kiosks report that the catalogue does not know, in its own group.
    const unknown = page.locator('section[data-department="unknown"]')
    await unknown.locator('tr[data-service-id="legacy-queue"]').waitFor()
    expect(await unknown.locator('h3').textContent()).toContain('目录外服务')
    // Not offered by any kiosk: listed, dimmed.
    expect(await page.locator('tr[data-service-id="marriage-appointment"]').getAttribute('class')).toContain(
      'not-offered',
    )
    await screenshot(page, 'dashboard-services')
    expect(await seriousA11yViolations(page)).toEqual([])

    // The availability report downloads as CSV, here per service over the window's dates.
    await page.selectOption('.report-export select[name=by]', 'service')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export-csv')])
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        stream.on('error', reject)
      }, reject)
    })
    expect(download.suggestedFilename()).toMatch(/^availability-by-service-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n')
    expect(lines[0]).toBe('service_id,service_name,department,from,to,kiosks,open_hours,usable_hours,usable_percent')
    expect(lines.some((l) => l.startsWith('tax-certificate,'))).toBe(true)

    // A click opens the kiosks offering the service: the unavailable one first, then the offline one.
    await page.locator('tr[data-service-id="household-certificate"] td.offering').click()
    await page.locator('.service-page[data-service-id="household-certificate"]').waitFor()
    expect(await page.locator('ol.days li').count()).toBe(30)
    expect(await page.locator('.service-page .stat').last().textContent()).toContain('66.6%')
    await screenshot(page, 'dashboard-service-history')

    await page.goto(`${stack.fleet().httpUrl}/#/service/id-receipt`)
    const rows = page.locator('.service-kiosks tbody tr')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.nth(0).getAttribute('data-kiosk-id')).toBe('svc-id-01')
    expect(await rows.nth(0).textContent()).toMatch(/不可用 · 外设.*receipt/)
    expect(await rows.nth(1).getAttribute('data-availability')).toBe('unknown')
    await page.click('.filters button[data-availability="unknown"]')
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.nth(0).getAttribute('data-kiosk-id')).toBe('svc-id-02')
    await page.click('.filters button[data-availability="all"]')
    await expect.poll(() => rows.count()).toBe(2)
    await screenshot(page, 'dashboard-service-kiosks')
    expect(await seriousA11yViolations(page)).toEqual([])

    // English.
    await page.click('#lang')
    await page.locator('.filters button', { hasText: 'Unavailable' }).waitFor()
    await page.click('#nav a[data-route=services]')
    await page.locator('section[data-department="unknown"] h3', { hasText: 'Not in the catalogue' }).waitFor()
    expect(await page.locator('tr[data-service-id="tax-invoice"] td.now').textContent()).toContain(
      'department gateway down 1',
    )
    await screenshot(page, 'dashboard-services-english')
    await page.close()

    // Portrait, narrow: rows become cards.
    const narrow = await browser.newPage({ viewport: { width: 430, height: 932 }, locale: 'zh-CN', isMobile: true })
    await logIn(narrow)
    await narrow.goto(`${stack.fleet().httpUrl}/#/services`)
    await narrow.locator('tr[data-service-id="id-receipt"]').waitFor()
    await narrow.mouse.move(0, 0) // not hovering where the login button was
    // Nothing wider than the screen.
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(430)
    await screenshot(narrow, 'dashboard-services-portrait')
    await narrow.goto(`${stack.fleet().httpUrl}/#/service/tax-invoice`)
    await narrow.locator('.service-kiosks tr[data-kiosk-id="sim-tax-02"]').waitFor()
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(430)
    await screenshot(narrow, 'dashboard-service-kiosks-portrait')
    expect(await seriousA11yViolations(narrow)).toEqual([])
    await narrow.close()
  })

  it("shows a kiosk's paper forecast from its receipt printer's counters", async () => {
    // sim-ps-01's receipt printer: 3 m of roll used in the week (its oldest snapshot of the week is
    // this one, before the seeded ones), 1 m left: 429 mm a day, about 2.3 days.
    const now = Date.now()
    const batch = emptyBatch()
    const services = SIMULATED.find((k) => k.id === 'sim-ps-01')?.services ?? []
    for (const [seq, ts, paperMm, paperRemainingMm] of [
      [1000, now - 7 * DAY + 60_000, 0, 4_000],
      [1001, now - 1000, 3_000, 1_000],
    ] as const)
      batch.health.push({
        kioskId: 'sim-ps-01',
        receivedAt: ts,
        payload: sampleHealth({
          seq,
          ts,
          peripherals: [
            { deviceId: 'idcard', status: { state: 'online' }, counters: {} },
            {
              deviceId: 'receipt',
              status: { state: 'online', paper: 'full' },
              counters: { paperMm, paperRemainingMm },
            },
          ],
          services: services.map((serviceId) => ({ serviceId, available: true, blockedBy: [] })),
        }),
      })
    await new IngestStore(stack.fleet().db).writeBatch(batch)
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    await logIn(page)
    await page.goto(`${stack.fleet().httpUrl}/#/kiosk/sim-ps-01`)
    const row = page.locator('.paper-forecast tr[data-device-id="receipt"]')
    await row.waitFor()
    expect(await row.textContent()).toMatch(/1000 毫米.*429 毫米.*约 2\.3 天/)
    await screenshot(page, 'dashboard-kiosk-paper-forecast')
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.close()
  })
})

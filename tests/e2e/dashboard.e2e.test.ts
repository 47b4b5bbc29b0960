import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

describe('fleet dashboard in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  const agents: KioskAgent[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    browser = await launchChromium()
    const village = {
      id: 'lw-station',
      name: '柳湾村便民服务站',
      kind: 'villageStation',
      city: '青州市',
      county: '花溪县',
      town: '花溪镇',
      latitude: 30.5897,
      longitude: 114.3472,
    }
    for (const [id, overrides] of [
      // Offered by name: the id machine's default offer no longer lists the receipt-only service.
      ['dash-id-01', { catalogue: { offer: ['id-progress', 'id-receipt'] } }],
      ['dash-ss-01', { machineType: 'social-security', department: 'human-resources', site: village }],
    ] as const) {
      const agent = createKioskAgent({ config: testAgentConfig(id, stack.mqttUrl, overrides), logger: quietLogger })
      await agent.start()
      agents.push(agent)
    }
    await waitFor('both kiosks online', async () => {
      const { kiosks } = await stack.api<{ kiosks: { state: string }[] }>('/api/kiosks')
      return kiosks.length === 2 && kiosks.every((k) => k.state === 'online')
    })
  })
  afterAll(async () => {
    await browser?.close()
    for (const agent of agents) await agent.stop().catch(() => undefined)
    await stack?.stop()
  })

  it('logs in, shows the overview, kiosks live, a kiosk page with commands, and alerts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
    await page.goto(`${stack.fleet().httpUrl}/`)
    await page.locator('#login').waitFor()
    await screenshot(page, 'dashboard-login')
    await page.fill('#login input[name=username]', 'admin')
    await page.fill('#login input[name=password]', 'wrong password')
    await page.click('#login button[type=submit]')
    await page.locator('#login-error', { hasText: '用户名或密码错误' }).waitFor()
    await page.fill('#login input[name=password]', TEST_ADMIN_PASSWORD)
    await page.click('#login button[type=submit]')
    await page.locator('#who', { hasText: 'admin' }).waitFor()

    // Overview: counts, breakdowns and the site tree.
    await page.locator('.overview .stat b').first().waitFor()
    await expect
      .poll(() => page.locator('ul.tree').textContent(), { timeout: 30_000 })
      .toMatch(/青州市.*花溪县.*花溪镇便民服务中心.*柳湾村便民服务站/s)
    await screenshot(page, 'dashboard-overview')
    expect(await seriousA11yViolations(page)).toEqual([])

    // The map: both sites, a few kilometres apart, each its own marker at the zoom that fits them.
    await page.click('#nav a[data-route=map]')
    await expect.poll(() => page.locator('.site-marker').count(), { timeout: 30_000 }).toBe(2)
    await screenshot(page, 'dashboard-map')

    // Kiosks, updating live.
    await page.click('#nav a[data-route=kiosks]')
    const card = page.locator('.kiosk[data-kiosk-id="dash-id-01"]')
    await card.locator('.badge.online').waitFor()
    expect(await card.locator('td.site').textContent()).toContain('花溪镇便民服务中心')
    const receipt = agents[0]?.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'userError', paper: 'out' })
    await card.locator('li[data-device-id="receipt"] .status.bad', { hasText: '缺纸' }).waitFor()
    await card.locator('.services .blocked', { hasText: '回执打印' }).waitFor()
    await screenshot(page, 'dashboard-paper-out')

    await agents[1]?.stop()
    await page.locator('.kiosk[data-kiosk-id="dash-ss-01"] .badge.offline').waitFor()
    // The header's counts are read again a moment after live changes.
    await expect.poll(() => page.locator('#summary').textContent(), { timeout: 15_000 }).toMatch(/离线\s*1/)
    await screenshot(page, 'dashboard-kiosk-offline')
    expect(await seriousA11yViolations(page)).toEqual([])

    // One kiosk: peripherals, services, history, and a remote command with its answer.
    await card.locator('th.id a').click()
    await page.locator('.kiosk-page tr[data-device-id="receipt"]').waitFor()
    await page.click('.command-buttons button[data-command="ping"]')
    await page.locator('.command-output[data-status="ok"]').waitFor()
    expect(await page.locator('.command-output').textContent()).toContain('appVersion')
    await page.fill('#maintenance-reason', '更换打印纸')
    // A disruptive command is asked about first; the answer goes with the request as its confirmation.
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (dialog) => {
        resolve(dialog.message())
        void dialog.accept()
      }),
    )
    await page.click('.command-buttons button[data-command="enter-maintenance"]')
    expect(await asked).toContain('暂停服务')
    await page.locator('.command-output', { hasText: 'maintenance' }).waitFor()
    await screenshot(page, 'dashboard-kiosk-page')
    expect(await seriousA11yViolations(page)).toEqual([])

    // Alerts: paper out is raised at once; acknowledge it.
    await page.click('#nav a[data-route=alerts]')
    const alertRow = page.locator('tr[data-rule="paperOut"]')
    await alertRow.waitFor()
    await screenshot(page, 'dashboard-alerts')
    expect(await seriousA11yViolations(page)).toEqual([])
    await alertRow.locator('button.ack').click()
    await page.locator('tr[data-rule="paperOut"]', { hasText: '已确认' }).waitFor()

    // Silence the kiosk's paper alerts from the alert row: kiosk and rule filled in, a reason given.
    const paperKiosk = await alertRow.locator('td a').textContent()
    await alertRow.locator('button.silence').click()
    const form = page.locator('form.silence-new')
    await form.waitFor()
    expect(await form.locator('input[name=kioskId]').inputValue()).toBe(paperKiosk)
    expect(await form.locator('select[name=rule]').inputValue()).toBe('paperOut')
    await form.locator('input[name=reason]').fill('纸卷已订，明早送到')
    await form.locator('select[name=hours]').selectOption('24')
    await form.locator('button[type=submit]').click()
    const running = page.locator('table.silences tr[data-state="running"]', { hasText: '纸卷已订' })
    await running.waitFor()
    expect(await running.textContent()).toContain(`${paperKiosk} · 缺纸`)
    const { silences } = await stack.api<{
      silences: { kioskId: string; rule: string; expiresAt: string; createdBy: string }[]
    }>('/api/alerts/silences')
    expect(silences).toEqual([expect.objectContaining({ kioskId: paperKiosk, rule: 'paperOut', createdBy: 'admin' })])
    const hours = (Date.parse(silences[0]?.expiresAt ?? '') - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23)
    expect(hours).toBeLessThanOrEqual(24)
    await screenshot(page, 'dashboard-silences')
    expect(await seriousA11yViolations(page)).toEqual([])
    // Ended early (asked first): gone from the running list, kept with who ended it.
    page.once('dialog', (dialog) => dialog.accept())
    await running.locator('button.end').click()
    await page.locator('table.silences, p.empty').first().waitFor()
    await expect.poll(() => page.locator('table.silences tr[data-state="running"]').count()).toBe(0)
    await page.locator('label.show-all input').check()
    await page.locator('table.silences tr[data-state="ended"]', { hasText: 'admin' }).waitFor()
    // Portrait: nothing wider than the screen.
    await page.setViewportSize({ width: 430, height: 932 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(430)
    await screenshot(page, 'dashboard-silences-portrait')
    await page.setViewportSize({ width: 1280, height: 900 })
    const audit = await stack.api<{ entries: { action: string }[] }>('/api/audit?action=alert.*')
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['alert.ack', 'alert.silence', 'alert.unsilence'])

    await page.click('#lang')
    await page.locator('#nav a[data-route=alerts]', { hasText: 'Alerts' }).waitFor()
    await page.click('#nav a[data-route=overview]')
    await page.locator('.overview .stat').first().waitFor()
    await screenshot(page, 'dashboard-english')

    await page.click('#logout')
    await page.locator('#login').waitFor()
    expect(await page.locator('.kiosk').count()).toBe(0)
    await page.close()
  })
})

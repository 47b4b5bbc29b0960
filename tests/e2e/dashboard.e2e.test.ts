import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { startStack, type TestStack } from '../support/stack.ts'

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
    }
    for (const [id, overrides] of [
      ['dash-id-01', {}],
      ['dash-ss-01', { machineType: 'social-security', department: 'human-resources', site: village }],
    ] as const) {
      const agent = createKioskAgent({ config: testAgentConfig(id, stack.mqttUrl, overrides), logger: quietLogger })
      await agent.start()
      agents.push(agent)
    }
  })
  afterAll(async () => {
    await browser?.close()
    for (const agent of agents) await agent.stop().catch(() => undefined)
    await stack?.stop()
  })

  it('shows kiosks by site, updates live, and turns a stopped kiosk offline without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
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
    const card = page.locator('[data-kiosk-id="dash-id-01"]')
    await card.locator('.badge.online').waitFor()
    await expect.poll(() => page.locator('section.site').count()).toBe(2)
    expect(await page.locator('section.site h3').first().textContent()).toContain('花溪镇便民服务中心')

    const receipt = agents[0]?.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'userError', paper: 'out' })
    await card.locator('li[data-device-id="receipt"] .status.bad', { hasText: '缺纸' }).waitFor()
    await card.locator('.services .blocked', { hasText: '回执打印' }).waitFor()
    await screenshot(page, 'dashboard-paper-out')

    await agents[1]?.stop()
    await page.locator('[data-kiosk-id="dash-ss-01"] .badge.offline').waitFor()
    expect(await page.locator('#summary').textContent()).toMatch(/离线\s*1/)
    await screenshot(page, 'dashboard-kiosk-offline')

    await page.click('#lang')
    await card.locator('.badge', { hasText: 'Online' }).waitFor()
    await screenshot(page, 'dashboard-english')

    expect(await seriousA11yViolations(page)).toEqual([])
    await page.click('#logout')
    await page.locator('#login').waitFor()
    expect(await page.locator('[data-kiosk-id]').count()).toBe(0)
    await page.close()
  })
})

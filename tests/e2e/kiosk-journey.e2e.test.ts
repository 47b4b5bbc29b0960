import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts'
import { waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { startStack, type TestStack } from '../support/stack.ts'

/** Font size of every visible text element on screen, keyed by its class path (svg pictures excluded). */
async function textSizes(page: Page): Promise<Map<string, number>> {
  const sizes = await page.evaluate(() => {
    const out: [string, number][] = []
    for (const el of Array.from(document.querySelectorAll('#app *'))) {
      if (el.closest('svg')) continue
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '')
      const box = el.getBoundingClientRect()
      if (!own || box.width === 0 || box.height === 0) continue
      const path: string[] = []
      for (let e: Element | null = el; e && e.id !== 'app'; e = e.parentElement) {
        path.unshift(
          `${e.tagName.toLowerCase()}${e.classList.length ? `.${Array.from(e.classList).sort().join('.')}` : ''}`,
        )
      }
      out.push([path.join('>'), Number.parseFloat(getComputedStyle(el).fontSize)])
    }
    return out
  })
  const byKey = new Map<string, number>()
  for (const [key, size] of sizes) byKey.set(key, Math.min(size, byKey.get(key) ?? Number.POSITIVE_INFINITY))
  return byKey
}

/** Controls (not the whole-screen attract button) that sit in the top fifth of the screen. */
async function controlsAtTheTop(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const limit = window.innerHeight * 0.2
    return Array.from(document.querySelectorAll('button, input'))
      .filter((b) => !b.classList.contains('attract-touch'))
      .filter((b) => {
        const r = b.getBoundingClientRect()
        return r.height > 0 && r.top + r.height / 2 < limit
      })
      .map((b) => b.textContent || b.id)
  })
}

/**
 * One screen in both modes: screenshot, axe (nothing serious or critical), every text ≥ 1.5× in
 * 长辈模式, no control at the top edge. Leaves the page in the mode it found it.
 */
async function checkScreen(page: Page, name: string, orientation: string): Promise<void> {
  const standard = await textSizes(page)
  await screenshot(page, `journey-${orientation}-${name}`)
  expect(await seriousA11yViolations(page), `${name} standard`).toEqual([])
  expect(await controlsAtTheTop(page), `${name}: controls at the top edge`).toEqual([])
  await page.click('#elderly')
  await page.locator('html.elderly').waitFor({ state: 'attached' })
  const elderly = await textSizes(page)
  await screenshot(page, `journey-${orientation}-${name}-elderly`)
  expect(await seriousA11yViolations(page), `${name} elderly`).toEqual([])
  const tooSmall: string[] = []
  let compared = 0
  for (const [key, size] of standard) {
    const big = elderly.get(key)
    if (big === undefined) continue
    compared++
    if (big < size * 1.5 - 0.01) tooSmall.push(`${key}: ${size} → ${big}`)
  }
  expect(tooSmall, `${name}: texts under 1.5× in 长辈模式`).toEqual([])
  expect(compared, `${name}: texts measured`).toBeGreaterThan(2)
  await page.click('#elderly')
  await page.locator('html:not(.elderly)').waitFor({ state: 'attached' })
}

/** The catalogue menu lists every service in pages: a service is reached through its department's tab. */
async function chooseService(page: Page, department: string, serviceId: string): Promise<void> {
  await page.click('.tab[data-mode="department"]')
  await page.click(`.chip[data-department="${department}"]`)
  const tile = page.locator(`.tile[data-service="${serviceId}"]`)
  // 长辈模式 shows four tiles a page: turn pages until the service is on screen.
  for (let turns = 0; (await tile.count()) === 0 && turns < 10; turns++) await page.click('.pager .btn:last-child')
  await tile.click()
}

const zhang = fixtureCard('resident-zhang-san')
const expiredPermit = fixtureCard('hk-macau-taiwan')

describe('the citizen journey on a comprehensive kiosk, portrait and landscape, both modes', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    browser = await launchChromium()
    rig = await startKioskRig({ kioskId: 'e2e-journey-01', machineType: 'comprehensive', mqttUrl: stack.mqttUrl })
  }, 240_000)
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await rig?.stop()
    await stack?.stop()
  })

  for (const [orientation, viewport] of [
    ['portrait', { width: 1080, height: 1920 }],
    ['landscape', { width: 1920, height: 1080 }],
  ] as const) {
    it(`${orientation}: every screen readable in both modes, no dead end, nothing carried to the next citizen`, async () => {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', hasTouch: true, bypassCSP: true })
      contexts.push(context)
      const page = await context.newPage()
      await page.goto(rig.uiUrl)
      await waitScreen(page, 'attract')
      rig.reader.removeCard()
      await checkScreen(page, 'attract', orientation)

      await page.click('.attract-touch')
      await waitScreen(page, 'menu')
      await checkScreen(page, 'menu', orientation)
      await chooseService(page, 'tax', 'tax-certificate')
      await waitScreen(page, 'card')
      await checkScreen(page, 'card', orientation)

      // An expired permit is refused, with try again, home and help.
      rig.reader.presentCard(expiredPermit)
      await waitScreen(page, 'error')
      expect(await page.locator('[data-screen="error"]').getAttribute('data-error')).toBe('cardExpired')
      expect(await page.locator('[role="alert"]').textContent()).toContain('已过有效期')
      await page.click('[data-action="help"]')
      await page.locator('.help').waitFor()
      await checkScreen(page, 'error-card-expired', orientation)
      expect(rig.agent.citizen?.sessions.current?.citizen).toBeUndefined()

      // Try again with a valid card: face check, then the certificates, paged in 长辈模式.
      rig.reader.removeCard()
      await page.click('[data-action="retry"]')
      await waitScreen(page, 'card')
      rig.reader.presentCard(zhang)
      await waitScreen(page, 'face')
      await checkScreen(page, 'face', orientation)
      await page.click('[data-action="face-start"]')
      await waitScreen(page, 'result', 60_000)
      await checkScreen(page, 'result-tax', orientation)
      await page.click('#elderly')
      expect(await page.locator('.record.choice').count()).toBe(2)
      await page.getByRole('button', { name: '下一页' }).click()
      expect(await page.locator('.record.choice').count()).toBeGreaterThanOrEqual(1)
      expect(await page.locator('.page-of').textContent()).toMatch(/^第 2 \//)
      await page.click('#elderly')
      await page.locator('.record.choice').first().click()
      await waitScreen(page, 'done', 60_000)
      await checkScreen(page, 'done', orientation)
      await page.click('text=办理完成')

      // The card is still on the reader: asked for until it is lifted.
      await waitScreen(page, 'takeCard')
      await checkScreen(page, 'take-card', orientation)
      rig.reader.removeCard()
      await waitScreen(page, 'attract')

      // The next citizen puts the card down first, in English and 长辈模式; the code they type survives a mismatch.
      rig.reader.presentCard(zhang)
      await page.click('#lang')
      await page.click('#elderly')
      await page.click('.attract-touch')
      await waitScreen(page, 'menu')
      await chooseService(page, 'market-regulation', 'license-print')
      await waitScreen(page, 'face')
      await page.click('[data-action="face-start"]')
      await waitScreen(page, 'code', 60_000)
      await page.click('#elderly')
      await checkScreen(page, 'code', orientation)
      for (const d of '202601990000') await page.click(`.key[data-key="${d}"]`)
      await page.getByRole('button', { name: 'OK' }).click()
      await page.locator('[data-screen="code"] .error').waitFor()
      expect(await page.locator('.entry').textContent()).toBe('LZ20260199-0000')
      await page.getByRole('button', { name: 'Cancel' }).click()
      await waitScreen(page, 'takeCard')
      rig.reader.removeCard()
      await waitScreen(page, 'attract')
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
      expect(await page.locator('html.elderly').count()).toBe(0)

      // Social security with the ID card: no face check; the PIN screen shows the tries left.
      await page.click('.attract-touch')
      await chooseService(page, 'hrss', 'ss-certificate')
      await waitScreen(page, 'card')
      rig.reader.presentCard(zhang)
      await waitScreen(page, 'pin')
      await checkScreen(page, 'pin', orientation)
      for (const d of '000000') await page.click(`.key[data-key="${d}"]`)
      await page.getByRole('button', { name: '确定' }).click()
      await page.locator('[data-screen="pin"] .tries').waitFor()
      // The department counts wrong PINs per citizen across sessions: the second orientation has one fewer.
      expect(await page.locator('.tries').textContent()).toMatch(/再输错 [12] 次/)
      await screenshot(page, `journey-${orientation}-pin-tries-left`)
      await page.getByRole('button', { name: '取消' }).click()
      await waitScreen(page, 'takeCard')
      rig.reader.removeCard()
      await waitScreen(page, 'attract')
      await context.close()
    }, 600_000)
  }
})

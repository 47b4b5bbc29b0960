import type { Browser, Page } from 'playwright-core'
import { expect } from 'vitest'
import { screenshot, seriousA11yViolations } from './browser.ts'

/**
 * A kiosk-sized page (landscape 1280×1024, like a 19" kiosk) with the UI open on its token.
 * The UI's CSP forbids inline scripts; the test context bypasses it only so axe-core can be injected.
 */
export async function openKioskPage(browser: Browser, uiUrl: string, locale = 'zh-CN'): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1024 },
    locale,
    hasTouch: true,
    bypassCSP: true,
  })
  const page = await context.newPage()
  await page.goto(uiUrl)
  await page.locator('[data-screen="attract"]').waitFor()
  return page
}

export async function waitScreen(page: Page, screen: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-screen="${screen}"]`).waitFor({ timeout })
}

/** Saves `tests/artifacts/{name}.png` and checks axe finds nothing serious on that screen. */
export async function shootAndCheck(page: Page, name: string): Promise<void> {
  await screenshot(page, name)
  expect(await seriousA11yViolations(page)).toEqual([])
}

/** The face check (人证核验) after the card: start it and wait for the next screen. */
export async function passFaceCheck(page: Page, next: string): Promise<void> {
  const either = page.locator(`[data-screen="face"], [data-screen="${next}"]`)
  await either.first().waitFor({ timeout: 30_000 })
  if ((await either.first().getAttribute('data-screen')) === 'face') await page.click('[data-action="face-start"]')
  await waitScreen(page, next, 60_000)
}

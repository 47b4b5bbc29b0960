import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { startStack, type TestStack } from '../support/stack.ts'

/**
 * Searching the menu of a comprehensive kiosk in Chinese, which has no keyboard: tapping one of the
 * Chinese words under the letter keypad, pinyin initials on the keypad, and Chinese typed through an
 * input method when a keyboard is attached. Expected results come from the catalogue, not counts.
 */
describe('menu search in Chinese and pinyin initials, in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    browser = await launchChromium()
    rig = await startKioskRig({ kioskId: 'e2e-menu-search-01', machineType: 'comprehensive', mqttUrl: stack.mqttUrl })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await rig?.stop()
    await stack?.stop()
  })

  /** The search screen; `shape` sets the screen before the menu is drawn, as a kiosk's is. */
  async function openSearch(locale = 'zh-CN', shape?: { width: number; height: number }, elderly = false) {
    const page = await openKioskPage(browser, rig.uiUrl, locale)
    if (shape) await page.setViewportSize(shape)
    if (locale !== 'zh-CN') await page.click('#lang')
    if (elderly) await page.click('#elderly')
    await page.click('.attract-touch')
    await waitScreen(page, 'menu')
    await page.click('.tab[data-mode="search"]')
    return page
  }

  /** Every service the search shows, over all its pages. */
  async function allFound(page: Page, nextName: string): Promise<string[]> {
    const found: string[] = []
    for (;;) {
      found.push(
        ...(await page.locator('.tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-service') ?? ''))),
      )
      const next = page.getByRole('button', { name: nextName })
      if ((await next.count()) === 0 || (await next.isDisabled())) break
      await next.click()
    }
    return found
  }

  /** The offered services any of whose search keys contain the text, as the menu should find them. */
  function named(text: string): string[] {
    const catalogue = rig.agent.catalogue
    return catalogue
      .offered()
      .filter((s) => catalogue.searchKeys(s.id).some((k) => k.includes(text.toLowerCase())))
      .map((s) => s.id)
      .sort()
  }

  it('a tapped Chinese word finds exactly the services it names, over pages, and one opens', async () => {
    const page = await openSearch()
    const words = await page.locator('.words .chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-word')))
    expect(words).toContain('公积金')
    // Large enough to tap: no smaller than a letter key.
    const letter = await page.locator('.letter[data-letter="A"]').boundingBox()
    const chip = await page.locator('.words .chip[data-word="公积金"]').boundingBox()
    expect(chip && letter && chip.height >= letter.height && chip.width >= letter.width).toBe(true)
    // Each word finds at least two services, and no two words find the same ones.
    const sets = words.map((w) => named(w ?? '').join())
    expect(sets.every((set) => set.split(',').length >= 2)).toBe(true)
    expect(new Set(sets).size).toBe(sets.length)
    await page.getByRole('button', { name: '公积金', exact: true }).click()
    expect(await page.locator('.search-entry').textContent()).toBe('公积金')
    const expected = named('公积金')
    expect(expected.length).toBeGreaterThan(1)
    expect((await allFound(page, '下一页')).sort()).toEqual(expected)
    // Tapped again, the word clears the search.
    await page.getByRole('button', { name: '公积金', exact: true }).click()
    expect(await page.locator('.search-entry').textContent()).toBe('')
    await page.getByRole('button', { name: '公积金', exact: true }).click()
    await page.locator(`.tile[data-service="${expected[0]}"]`).click()
    await page.locator('[data-screen]:not([data-screen="menu"])').first().waitFor()
    await page.context().close()
  })

  it('in English the words are English, and each finds what it names', async () => {
    const page = await openSearch('en-US')
    const words = await page
      .locator('.words .chip')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-word') ?? ''))
    expect(words.length).toBeGreaterThan(5)
    expect(words.every((w) => /^[a-z ]+$/.test(w))).toBe(true)
    // The housing-fund department's English short name; the search ignores spaces.
    expect(words).toContain('housing fund')
    await page.click('.words .chip[data-word="housing fund"]')
    expect(await page.locator('.words .chip[data-word="housing fund"]').textContent()).toBe('housing fund')
    expect((await allFound(page, 'Next')).sort()).toEqual(named('housingfund'))
    await page.context().close()
  })

  it('fits portrait 1080×1920 and landscape 1920×1080, in Chinese, English and elderly mode, home in view', async () => {
    for (const [locale, elderly] of [
      ['zh-CN', false],
      ['en-US', false],
      ['zh-CN', true],
    ] as const) {
      for (const [shape, width, height] of [
        ['portrait', 1080, 1920],
        ['landscape', 1920, 1080],
      ] as const) {
        const page = await openSearch(locale, { width, height }, elderly)
        // The first word finds the most: a full page of results and the pager.
        await page.locator('.words .chip').first().click()
        await shootAndCheck(page, `kiosk-menu-search-${elderly ? 'elderly' : locale.slice(0, 2)}-${shape}`)
        const home = await page.locator('.screen > .actions .btn').boundingBox()
        const bar = await page.locator('.controls').boundingBox()
        expect(home && bar && home.y + home.height <= bar.y).toBe(true)
        await page.context().close()
      }
    }
  })

  it('pinyin initials on the keypad still find a service', async () => {
    const page = await openSearch()
    const catalogue = rig.agent.catalogue
    const service = catalogue.offered().find((s) => catalogue.searchKeys(s.id).some((k) => /^[a-z]{3,6}$/.test(k)))
    if (!service) throw new Error('no service with pinyin initials')
    const initials = catalogue.searchKeys(service.id).find((k) => /^[a-z]{3,6}$/.test(k)) ?? ''
    for (const l of initials.toUpperCase()) await page.click(`.letter[data-letter="${l}"]`)
    expect(await page.locator('.search-entry').textContent()).toBe(initials)
    expect(await allFound(page, '下一页')).toContain(service.id)
    await page.context().close()
  })

  it('Chinese from a keyboard input method searches too, in English as well', async () => {
    const page = await openSearch('en-US')
    await page.keyboard.insertText('不动产')
    await page.locator('.search-entry', { hasText: '不动产' }).waitFor()
    const expected = named('不动产')
    expect(expected.length).toBeGreaterThan(0)
    expect((await allFound(page, 'Next')).sort()).toEqual(expected)
    await shootAndCheck(page, 'kiosk-menu-search-typed-english')
    // An input method composing pinyin does not search until the word is chosen.
    await page.keyboard.press('Escape')
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Input.imeSetComposition', { text: 'gongjijin', selectionStart: 9, selectionEnd: 9 })
    expect(await page.locator('.search-entry').textContent()).toBe('')
    await cdp.send('Input.insertText', { text: '公积金' })
    await page.locator('.search-entry', { hasText: '公积金' }).waitFor()
    expect((await allFound(page, 'Next')).sort()).toEqual(named('公积金'))
    // Escape on the keyboard clears the search; the field keeps the focus for the next word.
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('.search-entry').textContent()).toBe('')
    await page.keyboard.type('gjj')
    await page.locator('.search-entry', { hasText: 'gjj' }).waitFor()
    expect(await allFound(page, 'Next')).toEqual(expect.arrayContaining(named('gjj')))
    // A letter tapped after typed Chinese starts a new pinyin search.
    await page.keyboard.insertText('不动产')
    await page.locator('.search-entry', { hasText: 'gjj不动产' }).waitFor()
    await page.click('.letter[data-letter="W"]')
    expect(await page.locator('.search-entry').textContent()).toBe('w')
    await page.context().close()
  })
})

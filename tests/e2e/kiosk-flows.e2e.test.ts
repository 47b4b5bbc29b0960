import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { spooledPdfText } from '../support/pdf-text.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const card = fixtureCard('resident-zhang-san')

/** Places the card; services that require it then pass the face check (against the demo identity platform). */
async function placeCard(page: Page, rig: KioskRig): Promise<void> {
  await waitScreen(page, 'card')
  rig.reader.removeCard()
  rig.reader.presentCard(card)
  const next = page.locator('[data-screen="face"], [data-screen="code"], [data-screen="pin"], [data-screen="result"]')
  await next.first().waitFor()
  if ((await next.first().getAttribute('data-screen')) === 'face') {
    await page.click('[data-action="face-start"]')
    await page.locator('[data-screen="code"], [data-screen="pin"], [data-screen="result"]').first().waitFor()
  }
}

/** After the session: the take-your-card screen until the card is lifted. */
async function takeCardBack(page: Page, rig: KioskRig): Promise<void> {
  await waitScreen(page, 'takeCard')
  rig.reader.removeCard()
  await waitScreen(page, 'attract')
}

async function typeDigits(page: Page, digits: string): Promise<void> {
  for (const d of digits) await page.click(`.key[data-key="${d}"]`)
}

async function printedPdf(rig: KioskRig, count: number): Promise<string> {
  const ipp = rig.ipp
  if (!ipp) throw new Error('no A4 printer in this rig')
  const texts = await waitFor(`${count} PDF(s) at ippeveprinter`, () => {
    const t = spooledPdfText(ipp)
    return t.length >= count ? t : undefined
  })
  return (texts[count - 1] ?? '').replace(/\s+/g, '')
}

function expectPrivate(rig: KioskRig, capture: MqttCapture): void {
  for (const secret of [card.text.name, card.text.idNumber]) {
    expect(rig.logs.join('').includes(secret), `log has ${secret}`).toBe(false)
    expect(rig.dataDirText().includes(secret), `data dir has ${secret}`).toBe(false)
    expect(
      capture.messages.some((m) => m.payload.includes(secret)),
      `MQTT has ${secret}`,
    ).toBe(false)
  }
}

describe('citizen flows of every machine type, in Chromium against devices on ptys and ippeveprinter', () => {
  let stack: TestStack
  let browser: Browser
  let capture: MqttCapture
  const rigs: KioskRig[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    capture = await captureMqtt(stack.mqttUrl)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    for (const rig of rigs) await rig.stop()
    await capture?.close()
    await stack?.stop()
  })

  async function rig(kioskId: string, machineType: Parameters<typeof startKioskRig>[0]['machineType'], ui = {}) {
    const r = await startKioskRig({ kioskId, machineType, mqttUrl: stack.mqttUrl, ui })
    rigs.push(r)
    return r
  }

  it('licence: ID card + the notice code → the business licence on A4', async () => {
    const r = await rig('e2e-license-01', 'license')
    const page = await openKioskPage(browser, r.uiUrl)
    await page.click('.attract-touch')
    await placeCard(page, r)
    await waitScreen(page, 'code')
    await typeDigits(page, '202601990000')
    await page.getByRole('button', { name: '确定' }).click()
    await page.locator('[data-screen="code"] .error', { hasText: '没有找到这个编号' }).waitFor()
    // The typed code survives the mismatch.
    expect(await page.locator('.entry').textContent()).toBe('LZ20260199-0000')
    await shootAndCheck(page, 'kiosk-license-code')
    // The notice's QR code on the serial scanner (a URL with the code in it) completes the step.
    await r.scanner?.scan('https://zwfw.example.gov.cn/licence-notice?code=LZ20260115-0789')
    await page.locator('.facts dt', { hasText: '柳湾生态农业专业合作社' }).waitFor()
    await shootAndCheck(page, 'kiosk-license-check')
    await page.getByRole('button', { name: '打印营业执照（A4）' }).click()
    await waitScreen(page, 'done', 30_000)
    await shootAndCheck(page, 'kiosk-license-printed')
    const pdf = await printedPdf(r, 1)
    expect(pdf).toContain('营业执照信息摘要')
    expect(pdf).toContain('花溪县柳湾生态农业专业合作社')
    await page.click('text=办理完成')
    await takeCardBack(page, r)
    expectPrivate(r, capture)
    await page.context().close()
  })

  it('a service that does not end on card removal goes on after the ID card is lifted, and ends without asking for the card', async () => {
    const r = await rig('e2e-license-lift-01', 'license')
    const reader = r.agent.devices.cardReader()
    if (!reader) throw new Error('the licence kiosk rig has no ID-card reader')
    let lifted = false
    reader.on('cardRemoved', () => {
      lifted = true
    })
    const page = await openKioskPage(browser, r.uiUrl)
    // Every screen the page shows from here on, to prove the take-your-card screen never came.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { seenScreens: string[] }).seenScreens = seen
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-screen]')))
          seen.push(el.getAttribute('data-screen') ?? '')
      }).observe(document.body, { childList: true, subtree: true })
    })
    await page.click('.attract-touch')
    await placeCard(page, r)
    await waitScreen(page, 'code')
    lifted = false
    r.reader.removeCard()
    await waitFor('the agent sees the card lifted', () => lifted || undefined)
    // license-print has endsOnCardRemoval false: the session and its citizen stay.
    expect(r.agent.citizen?.sessions.current?.citizen?.idNumber).toBe(card.text.idNumber)
    await typeDigits(page, '202601150789')
    await page.getByRole('button', { name: '确定' }).click()
    await page.locator('.facts dt', { hasText: '柳湾生态农业专业合作社' }).waitFor()
    expect(await page.locator('[data-hint="mayTakeCard"]').textContent()).toBe('身份证已读取，可以取回身份证。')
    await page.getByRole('button', { name: '打印营业执照（A4）' }).click()
    await waitScreen(page, 'done', 30_000)
    await page.click('text=办理完成')
    await waitScreen(page, 'attract')
    const seen = await page.evaluate(() => (window as unknown as { seenScreens: string[] }).seenScreens)
    expect(seen).toContain('done')
    expect(seen).not.toContain('takeCard')
    expect(r.agent.citizen?.sessions.current).toBeUndefined()
    expect(r.agent.recordHealth().transactions).toContainEqual({
      serviceId: 'license-print',
      outcome: 'completed',
      count: 1,
    })
    expectPrivate(r, capture)
    await page.context().close()
  })

  it('tax: ID card → choose a quarter → 完税证明 on A4, in elderly mode', async () => {
    const r = await rig('e2e-tax-01', 'tax')
    const page = await openKioskPage(browser, r.uiUrl)
    await page.click('#elderly')
    await page.click('.attract-touch')
    // A tax machine offers the tax department's services: certificates, invoices, document scanning.
    await waitScreen(page, 'menu')
    expect(await page.locator('.tile').count()).toBe(3)
    await page.click('.tile[data-service="tax-certificate"]')
    await placeCard(page, r)
    await page.locator('.record.choice').first().waitFor()
    expect(await page.locator('.record.choice').count()).toBe(2)
    await shootAndCheck(page, 'kiosk-tax-choose-elderly')
    await page.locator('.record.choice[data-item="2025Q4"]').click()
    await waitScreen(page, 'done', 30_000)
    const pdf = await printedPdf(r, 1)
    expect(pdf).toContain('税收完税证明')
    expect(pdf).toContain('2025-10-01')
    await page.click('text=办理完成')
    expectPrivate(r, capture)
    await page.context().close()
  })

  it('social security: ID card + PIN → 参保证明 on A4, in English; a wrong PIN is asked again', async () => {
    const r = await rig('e2e-ss-01', 'social-security')
    const page = await openKioskPage(browser, r.uiUrl)
    await page.click('#lang')
    await page.click('.attract-touch')
    await placeCard(page, r)
    await waitScreen(page, 'pin')
    await typeDigits(page, '000000')
    await page.getByRole('button', { name: 'OK' }).click()
    await page.locator('[data-screen="pin"] .error', { hasText: 'Wrong PIN' }).waitFor()
    await typeDigits(page, '123456')
    await shootAndCheck(page, 'kiosk-ss-pin-english')
    expect(await page.locator('.entry').textContent()).toBe('●●●●●●')
    await page.getByRole('button', { name: 'OK' }).click()
    await waitScreen(page, 'result')
    await shootAndCheck(page, 'kiosk-ss-record-english')
    await page.getByRole('button', { name: 'Print certificate (A4)' }).click()
    await waitScreen(page, 'done', 30_000)
    const pdf = await printedPdf(r, 1)
    expect(pdf).toContain('社会保险参保缴费证明')
    expect(r.logs.join('')).not.toContain('123456')
    await page.click('text=Finish')
    expectPrivate(r, capture)
    await page.context().close()
  })

  it('comprehensive: a menu of every service; a dead receipt printer blocks only the receipt services', async () => {
    const r = await rig('e2e-comp-01', 'comprehensive')
    r.receipt?.paperOutAfterMm(0)
    const page = await openKioskPage(browser, r.uiUrl)
    await page.click('.attract-touch')
    await waitScreen(page, 'menu')
    const unavailable = await waitFor('the receipt printer reported out of paper', () => {
      const down = r.agent.services.availability().filter((s) => !s.available)
      return down.length > 0 ? down : undefined
    })
    // Only services whose output is a receipt are blocked, each by the receipt printer alone;
    // a service with an optional receipt (the progress query) and the A4 services stay.
    const blocked = unavailable.map((s) => s.serviceId)
    expect(blocked).toEqual(expect.arrayContaining(['id-receipt', 'tax-invoice', 'queue-ticket']))
    expect(unavailable.every((s) => s.blockedBy.length === 1 && s.blockedBy[0] === 'receipt')).toBe(true)
    expect(blocked).not.toContain('id-progress')
    expect(blocked).not.toContain('tax-certificate')
    // The menu shows what is offered; a blocked service is marked, never silently dropped.
    expect(await page.locator('.tile').count()).toBeGreaterThan(0)
    await shootAndCheck(page, 'kiosk-comprehensive-menu')
    await page.click('.tab[data-mode="department"]')
    await page.click('.chip[data-department="market-regulation"]')
    await page.locator('.tile[data-service="license-print"]').click()
    await placeCard(page, r)
    await waitScreen(page, 'code')
    await page.getByRole('button', { name: '取消' }).click()
    await takeCardBack(page, r)
    await page.click('#elderly')
    await page.click('.attract-touch')
    await waitScreen(page, 'menu')
    expect(await page.locator('.tile').count()).toBe(4)
    await shootAndCheck(page, 'kiosk-comprehensive-menu-elderly')
    await page.context().close()
  })

  it('idle: a warning at least 20 s before, one tap extends, then the reset wipes the session', async () => {
    const r = await rig('e2e-idle-01', 'id', { idleTimeoutMs: 24_000, idleWarningMs: 20_000 })
    const page = await openKioskPage(browser, r.uiUrl)
    await page.click('.attract-touch')
    await placeCard(page, r)
    await page.locator('.citizen-name').waitFor()
    await page.locator('[role="alertdialog"]').waitFor({ timeout: 10_000 })
    expect(await page.locator('#idle-body').textContent()).toMatch(/(20|19|18) 秒后/)
    await shootAndCheck(page, 'kiosk-idle-warning')
    await page.click('[data-action="extend"]')
    await page.locator('[role="alertdialog"]').waitFor({ state: 'detached' })
    expect(r.agent.citizen?.sessions.current?.citizen?.name).toBe(card.text.name)
    const session = r.agent.citizen?.sessions.current
    await page.locator('[role="alertdialog"]').waitFor({ timeout: 10_000 })
    // The reset ends the session; the card still lies on the reader, so the kiosk asks for it back first.
    await waitScreen(page, 'takeCard', 30_000)
    expect(r.agent.citizen?.sessions.current).toBeUndefined()
    r.reader.removeCard()
    await page.locator('[data-screen="attract"] .notice').waitFor({ timeout: 30_000 })
    await shootAndCheck(page, 'kiosk-idle-reset')
    expect(r.agent.citizen?.sessions.current).toBeUndefined()
    expect(session?.citizen).toBeUndefined()
    expect(session?.heldItems).toBe(0)
    expect(await page.locator('.citizen-name').count()).toBe(0)
    await page.context().close()
  }, 90_000)
})

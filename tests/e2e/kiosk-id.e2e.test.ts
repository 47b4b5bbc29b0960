import { generic80mm } from '@drivers/printer-escpos'
import { renderText } from '@drivers/printer-escpos/emulator'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

interface KioskApi {
  peripherals: { deviceId: string; status: { state: string; paper?: string } }[]
  services: { serviceId: string; available: boolean; blockedBy: string[] }[]
}

interface HealthSnapshot {
  mode: string
  services: KioskApi['services']
  transactions?: { serviceId: string; outcome: string; count: number }[]
}

describe('ID-card kiosk: card → progress → receipt, in Chromium against devices on ptys', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig
  let capture: MqttCapture
  const card = fixtureCard('resident-zhang-san')

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    capture = await captureMqtt(stack.mqttUrl)
    browser = await launchChromium()
    rig = await startKioskRig({ kioskId: 'e2e-id-01', machineType: 'id', mqttUrl: stack.mqttUrl })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await rig?.stop()
    await capture?.close()
    await stack?.stop()
  })

  const kiosk = () => stack.api<KioskApi>('/api/kiosks/e2e-id-01')

  it('reads the card, shows the progress, prints a receipt that names nobody in full, and forgets the citizen', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    await shootAndCheck(page, 'kiosk-id-attract')
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    await shootAndCheck(page, 'kiosk-id-place-card')

    rig.reader.presentCard(card)
    await page.locator('.citizen-name', { hasText: '张三' }).waitFor()
    expect(await page.locator('.citizen-id').textContent()).toContain('1101**********002X')
    // The name may show before the records from the gateway: wait for the second one, then count.
    await page.locator('.record').nth(1).waitFor()
    expect(await page.locator('.record').count()).toBeGreaterThanOrEqual(2)
    await shootAndCheck(page, 'kiosk-id-progress')

    rig.receipt?.clearPrinted()
    await page.getByRole('button', { name: '打印回执' }).click()
    await waitScreen(page, 'done')
    await shootAndCheck(page, 'kiosk-id-printed')
    const receipt = renderText(rig.receipt?.printed ?? [], generic80mm.dotsPerLine)
    expect(receipt.replace(/ +/g, '')).toContain('办理进度查询回执')
    expect(receipt).toContain('张*')
    expect(receipt).toContain('1101**********002X')
    expect(receipt).not.toContain('张三')
    expect(receipt).not.toContain(card.text.idNumber)

    const spoken: string[] = []
    page.on('response', (r) => {
      if (r.url().includes('/voice/') && r.status() === 200) spoken.push(new URL(r.url()).pathname)
    })
    await page.click('text=办理完成')
    // The card still lies on the reader: the screen asks for it, and says so, until it is lifted.
    await waitScreen(page, 'takeCard')
    expect(await page.locator('[data-screen="takeCard"] .lead').textContent()).toBe('请取走您的身份证')
    await waitFor('the take-your-card prompt spoken', () => spoken.includes('/voice/zh/takeCardNow.wav') || undefined)
    await shootAndCheck(page, 'kiosk-id-take-card')
    rig.reader.removeCard()
    await waitScreen(page, 'attract')
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()

    const health = await waitFor('transaction count at the fleet', async () => {
      const { history } = await stack.api<{ history: { health: HealthSnapshot }[] }>(
        '/api/kiosks/e2e-id-01/health?limit=1',
      )
      const latest = history[0]?.health
      return latest?.transactions?.find((t) => t.serviceId === 'id-progress' && t.outcome === 'completed')
        ? latest
        : undefined
    })
    expect(health.services.every((s) => s.available)).toBe(true)
    expect(health.mode).toBe('inService')

    // Privacy: the name and the ID number are nowhere outside the session's memory.
    for (const secret of [card.text.name, card.text.idNumber, card.text.address]) {
      expect(rig.logs.join('').includes(secret), `log has ${secret}`).toBe(false)
      expect(rig.dataDirText().includes(secret), `data dir has ${secret}`).toBe(false)
      expect(
        capture.messages.some((m) => m.payload.includes(secret)),
        `MQTT has ${secret}`,
      ).toBe(false)
    }
    expect(capture.messages.length).toBeGreaterThan(3)
    await page.context().close()
  })

  it('paper out mid-print: a clear message, the progress service stays available (its receipt is optional), and the fleet sees it', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    rig.reader.removeCard()
    rig.reader.presentCard(card)
    await page.locator('.citizen-name').waitFor()
    rig.receipt?.paperOutAfterMm(15)
    await page.getByRole('button', { name: '打印回执' }).click()
    // The results stay on screen with the reason; nothing the citizen saw is lost.
    await page.locator('[data-print-error="paperOut"]').waitFor({ timeout: 60_000 })
    expect(await page.locator('[data-print-error]').textContent()).toContain('打印机缺纸')
    await shootAndCheck(page, 'kiosk-id-paper-out')

    const blocked = await waitFor('paper out at the fleet', async () => {
      const k = await kiosk()
      return k.peripherals.find((p) => p.deviceId === 'receipt')?.status.paper === 'out' ? k : undefined
    })
    expect(blocked.services.find((s) => s.serviceId === 'id-progress')?.available).toBe(true)

    // The progress query still works; the screen says why there is no receipt button.
    await page.click('text=回到首页')
    await waitScreen(page, 'takeCard')
    rig.reader.removeCard()
    await waitScreen(page, 'attract')
    await page.click('.attract-touch')
    rig.reader.removeCard()
    rig.reader.presentCard(card)
    await page.locator('.warning', { hasText: '凭条打印机暂不可用' }).waitFor()
    expect(await page.getByRole('button', { name: '打印回执' }).count()).toBe(0)
    await shootAndCheck(page, 'kiosk-id-progress-no-receipt')

    rig.receipt?.loadPaper()
    await waitFor('paper back at the fleet', async () => {
      const k = await kiosk()
      return k.peripherals.find((p) => p.deviceId === 'receipt')?.status.paper !== 'out'
    })
    await page.click('text=办理完成')
    await page.context().close()
  })

  it('taking the card away ends the session at once and wipes it', async () => {
    rig.reader.removeCard()
    const page = await openKioskPage(browser, rig.uiUrl)
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    rig.reader.removeCard()
    rig.reader.presentCard(card)
    await page.locator('.citizen-name').waitFor()
    const session = rig.agent.citizen?.sessions.current
    expect(session?.citizen?.idNumber).toBe(card.text.idNumber)
    rig.reader.removeCard()
    await page.locator('[data-screen="attract"] .notice', { hasText: '身份证已拿走' }).waitFor()
    await shootAndCheck(page, 'kiosk-id-card-removed')
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()
    expect(session?.heldItems).toBe(0)
    expect(rig.agent.recordHealth().transactions).toContainEqual({
      serviceId: 'id-progress',
      outcome: 'cardRemoved',
      count: 1,
    })
    await page.context().close()
  })
})

import { SAMPLE_SSC_CARD, VirtualSscCard, VpcdCard } from '@drivers/smartcard-pcsc/emulator'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { type Pcscd, startPcscd } from '../support/pcscd.ts'
import { spooledPdfText } from '../support/pdf-text.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

describe('social-security kiosk with the social-security card on pcscd (vsmartcard-vpcd)', () => {
  let stack: TestStack
  let browser: Browser
  let pcscd: Pcscd
  let rig: KioskRig
  let capture: MqttCapture
  const cards: VpcdCard[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    capture = await captureMqtt(stack.mqttUrl)
    pcscd = await startPcscd()
    browser = await launchChromium()
    rig = await startKioskRig({
      kioskId: 'e2e-sscard-01',
      machineType: 'social-security',
      mqttUrl: stack.mqttUrl,
      pcscReaderName: pcscd.readerName,
    })
    await waitFor('the PC/SC reader online', () =>
      rig.agent.devices.byId('sscard')?.status().state === 'online' ? true : undefined,
    )
  })
  afterAll(async () => {
    for (const card of cards) await card.remove().catch(() => undefined)
    await browser?.close()
    await rig?.stop()
    await pcscd?.close()
    await capture?.close()
    await stack?.stop()
  })

  it('identifies by the social-security card and its PIN, prints the 参保证明, and keeps the holder private', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    expect(await page.locator('.lead').textContent()).toContain('社保卡')
    await shootAndCheck(page, 'kiosk-ss-place-either-card')
    const card = new VpcdCard({ card: new VirtualSscCard(SAMPLE_SSC_CARD), port: pcscd.vpcdPort })
    cards.push(card)
    await card.insert()
    await waitScreen(page, 'pin')
    for (const d of '123456') await page.click(`.key[data-key="${d}"]`)
    await page.getByRole('button', { name: '确定' }).click()
    await page.locator('.citizen-name', { hasText: SAMPLE_SSC_CARD.holder.name }).waitFor()
    // ss-certificate ends when the card is taken out (endsOnCardRemoval): the screen names this card.
    expect(await page.locator('[data-hint="keepCard"]').textContent()).toBe(
      '办理期间请不要取出社保卡；取出即结束办理并清除信息。',
    )
    await shootAndCheck(page, 'kiosk-ss-card-record')
    await page.getByRole('button', { name: '打印参保证明（A4）' }).click()
    await waitScreen(page, 'done', 30_000)
    const ipp = rig.ipp
    if (!ipp) throw new Error('no A4 printer')
    const text = (await waitFor('the PDF', () => spooledPdfText(ipp)[0]))?.replace(/\s+/g, '')
    expect(text).toContain(SAMPLE_SSC_CARD.holder.name)
    await page.click('text=办理完成')
    await waitScreen(page, 'attract')
    for (const secret of [SAMPLE_SSC_CARD.holder.name, SAMPLE_SSC_CARD.holder.socialSecurityNumber, '123456']) {
      expect(rig.logs.join('').includes(secret), `log has ${secret}`).toBe(false)
      expect(
        capture.messages.some((m) => m.payload.includes(secret)),
        `MQTT has ${secret}`,
      ).toBe(false)
    }
    await page.context().close()
  }, 90_000)
})

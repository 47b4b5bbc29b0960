import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startControlPanel } from '../../scripts/demo/control-panel.ts'
import { type DemoPcsc, startDemoPcsc } from '../../scripts/demo/demo-pcsc.ts'
import { launchChromium, screenshot } from '../support/browser.ts'
import { type DemoKioskRig, startDemoKiosk } from '../support/demo-kiosk.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const KIOSK_ID = 'hx-lw-ss-01'
/** How long a card inserted from the panel may take to reach the PIN screen (pcscd polling, PC/SC reads). */
const CARD_READ_MS = 60_000

describe('demo device panel: the social-security card (pcscd with vsmartcard-vpcd)', () => {
  let stack: TestStack
  let pcsc: DemoPcsc
  let rig: DemoKioskRig
  let panel: { url: string; server: Server }
  let browser: Browser
  let panelPage: Page
  let kioskPage: Page

  /** Presses the panel's button in this kiosk's section (the page reloads itself every 5 s; locators retry). */
  const press = async (name: string) => {
    await panelPage.locator('section', { hasText: KIOSK_ID }).getByRole('button', { name }).click()
  }
  const panelSays = (text: string) =>
    panelPage.locator('section', { hasText: KIOSK_ID }).locator('li', { hasText: text }).waitFor()

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    // As `npm start` does: the comprehensive kiosk takes the first vpcd slot, the social-security kiosk the second.
    pcsc = await startDemoPcsc({ lockWaitMs: 60_000 })
    const first = pcsc.nextReader()
    const second = pcsc.nextReader()
    if (first.kind !== 'vpcd' || second.kind !== 'vpcd') {
      throw new Error(`no vpcd slots: ${second.kind === 'statusModel' ? second.reason : ''}`)
    }
    expect(second.slot.readerName).toBe('Kiosk Virtual PCD 00 01')
    rig = await startDemoKiosk({ kioskId: KIOSK_ID, mqttUrl: stack.mqttUrl, ssc: second })
    await waitFor('the PC/SC reader online', () =>
      rig.agent.devices.byId('sscard')?.status().state === 'online' ? true : undefined,
    )
    panel = await startControlPanel({ kiosks: [rig.panelKiosk], dashboardUrl: `${stack.fleet().httpUrl}/`, port: 0 })
    browser = await launchChromium()
    panelPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })).newPage()
    await panelPage.goto(panel.url)
    // The panel links the kiosk UI with its per-boot token, as a tester opens it.
    const link = panelPage.getByRole('link', { name: /Open the kiosk UI/ })
    kioskPage = await openKioskPage(browser, (await link.getAttribute('href')) ?? '')
  })
  // A failed case (retried once) leaves no card in and no session behind for the next attempt.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    await press('Take out social-security card 取出社保卡').catch(() => undefined)
    rig.agent.citizen?.sessions.end('canceled')
  })
  afterAll(async () => {
    await browser?.close()
    panel?.server.close()
    await rig?.stop()
    await pcsc?.close()
    await stack?.stop()
  })

  it('inserts the card from the panel: the kiosk asks its PIN and shows the holder; taking it out ends the session', async () => {
    await panelSays('Kiosk Virtual PCD 00 01, empty')
    await kioskPage.click('.attract-touch')
    await waitScreen(kioskPage, 'card')
    expect(await kioskPage.locator('.lead').textContent()).toContain('社保卡')

    await press('Insert social-security card 插入社保卡: 王小明, PIN 123456')
    // pcscd polls its readers and the card is read over PC/SC: beside the face-check e2e in CI this
    // took more than the default 15 s.
    await waitScreen(kioskPage, 'pin', CARD_READ_MS)
    await shootAndCheck(kioskPage, 'device-panel-ssc-kiosk-pin')
    await panelSays('card wang-xiaoming in (PIN tries left 3)')
    await screenshot(panelPage, 'device-panel-ssc-landscape')
    await panelPage.setViewportSize({ width: 800, height: 1280 })
    await screenshot(panelPage, 'device-panel-ssc-portrait')
    await panelPage.setViewportSize({ width: 1280, height: 900 })

    for (const d of '123456') await kioskPage.click(`.key[data-key="${d}"]`)
    await kioskPage.getByRole('button', { name: '确定' }).click()
    await kioskPage.locator('.citizen-name', { hasText: '王小明' }).waitFor({ timeout: CARD_READ_MS })
    expect(rig.agent.citizen?.sessions.current).toBeDefined()

    await press('Take out social-security card 取出社保卡')
    await waitScreen(kioskPage, 'attract')
    await kioskPage.getByText('社保卡已取出，本次办理结束，您的信息已清除。').waitFor()
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()
    expect(await kioskPage.locator('body').textContent()).not.toContain('王小明')
    await panelSays('Kiosk Virtual PCD 00 01, empty')
  }, 240_000)

  it('inserts the PIN-blocked card from the panel: the kiosk refuses the PIN as locked', async () => {
    await kioskPage.click('.attract-touch')
    await waitScreen(kioskPage, 'card')
    await press('Insert social-security card 插入社保卡: 李秀英, PIN blocked 密码已锁')
    await waitScreen(kioskPage, 'pin', CARD_READ_MS)
    await panelSays('card pin-blocked-li-xiuying in (PIN tries left 0)')
    for (const d of '246810') await kioskPage.click(`.key[data-key="${d}"]`)
    await kioskPage.getByRole('button', { name: '确定' }).click()
    await kioskPage.getByText('密码已被锁定').waitFor()
    expect(await kioskPage.locator('body').textContent()).not.toContain('李秀英')

    await press('Take out social-security card 取出社保卡')
    await waitScreen(kioskPage, 'attract')
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()
  }, 240_000)
})

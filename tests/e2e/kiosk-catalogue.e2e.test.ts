import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generic80mm } from '@drivers/printer-escpos'
import { renderText } from '@drivers/printer-escpos/emulator'
import { createSaneTestBackend, type SaneTestBackend } from '@drivers/scanner-sane/emulator'
import {
  DEFAULT_CATALOGUE_DIR,
  DEFAULT_DEMO_GATEWAY_DIR,
  DemoGateway,
  type GatewayServer,
  startGatewayServer,
} from '@kiosk/agent'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshot } from '../support/browser.ts'
import { runFleetctl } from '../support/fleetctl-bin.ts'
import { openKioskPage, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { spooledPdfText } from '../support/pdf-text.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { createTestUpdateKeys, type TestUpdateKeys, testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

const card = fixtureCard('resident-zhang-san')

interface KioskApi {
  site: { id: string } | null
  services: { serviceId: string; available: boolean; reason?: string }[]
}

interface Alert {
  deviceId: string
  message: string
}

/**
 * A comprehensive machine running the demo catalogue (41 services of 9 departments) against the
 * department gateways over real HTTP: finding services, one service of every input and output
 * kind, a department outage, and a brand-new service added as data, published by its department
 * through the fleet (signed bundle, approval, rollout) to the running kiosk.
 */
describe('the service catalogue on a comprehensive kiosk, in Chromium, gateways over HTTP', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig
  let gateway: GatewayServer
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let sane: SaneTestBackend
  const catalogueDir = mkdtempSync(join(tmpdir(), 'e2e-catalogue-'))
  const gatewayDir = mkdtempSync(join(tmpdir(), 'e2e-gateway-data-'))
  const work = mkdtempSync(join(tmpdir(), 'e2e-catalogue-publish-'))

  beforeAll(async () => {
    cpSync(DEFAULT_CATALOGUE_DIR, catalogueDir, { recursive: true })
    cpSync(DEFAULT_DEMO_GATEWAY_DIR, gatewayDir, { recursive: true })
    gateway = await startGatewayServer(new DemoGateway({ dataDir: gatewayDir }), { token: 'e2e-gateway' })
    keys = await createTestUpdateKeys()
    writeFileSync(join(work, 'root.json'), keys.rootJson)
    stack = await startStack(
      { broker: 'embedded-aedes', db: 'pglite' },
      {
        updates: { dir: join(work, 'repository'), rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
        rollouts: { tickMs: 250 },
        // Raised at the first evaluation that sees it, not after the production 2 minutes.
        alerts: { rules: { serviceUnavailable: { raiseAfterMs: 0, clearAfterMs: 0 } } },
      },
    )
    browser = await launchChromium()
    // The document scanner is SANE's own test backend through scanimage (Debian: sane-utils); this
    // worker runs only this file.
    sane = await createSaneTestBackend()
    process.env.SANE_CONFIG_DIR = sane.configDir
    rig = await startKioskRig({
      kioskId: 'e2e-catalogue-01',
      machineType: 'comprehensive',
      mqttUrl: stack.mqttUrl,
      saneDevice: 'test:0',
      config: {
        catalogue: { dir: catalogueDir, offer: ['*'] },
        backend: {
          kind: 'http',
          url: `${gateway.url}/service-centre`,
          token: 'e2e-gateway',
          timeoutMs: 3000,
          departments: Object.fromEntries(
            [
              'public-security',
              'market-regulation',
              'tax',
              'hrss',
              'medical-insurance',
              'housing-fund',
              'civil-affairs',
              'real-estate',
            ].map((d) => [d, { url: `${gateway.url}/${d}` }]),
          ),
          // Long enough that a busy CI machine still sees the circuit open when it looks at the menu.
          breaker: { failureThreshold: 2, openMs: 30_000 },
        },
        updates: {
          enabled: true,
          fleetUrl: stack.fleet().httpUrl,
          trustedRootFile: join(work, 'root.json'),
          gatePollMs: 100,
          staleRetryMs: 200,
          downloadRetryMs: 100,
        },
      },
    })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await rig?.stop()
    await stack?.stop()
    await gateway?.close()
    await keys?.cleanup()
    await sane?.remove()
  })

  async function open(): Promise<Page> {
    const page = await openKioskPage(browser, rig.uiUrl)
    await page.click('.attract-touch')
    await waitScreen(page, 'menu')
    return page
  }

  async function choose(page: Page, serviceId: string): Promise<void> {
    await page.click('.tab[data-mode="search"]')
    const service = rig.agent.catalogue.service(serviceId)
    if (!service) throw new Error(`no ${serviceId}`)
    // Search by the pinyin initials of the Chinese name, as a citizen would type them.
    const initials = rig.agent.catalogue.searchKeys(serviceId).find((k) => /^[a-z]+$/.test(k) && k.length <= 8)
    for (const letter of (initials ?? '').slice(0, 6).toUpperCase())
      await page.click(`.letter[data-letter="${letter}"]`)
    await page.locator(`.tile[data-service="${serviceId}"]`).click()
  }

  async function placeCard(page: Page): Promise<void> {
    await waitScreen(page, 'card')
    rig.reader.removeCard()
    rig.reader.presentCard(card)
  }

  /** After a session with the ID card: the take-your-card screen until the citizen lifts the card. */
  async function takeCardBack(page: Page): Promise<void> {
    await waitScreen(page, 'takeCard')
    rig.reader.removeCard()
    await waitScreen(page, 'attract')
  }

  it('finds a service among 41: pages that hide nothing, topics, departments, pinyin initials', async () => {
    const page = await open()
    const total = rig.agent.catalogue.offered().length
    expect(total).toBeGreaterThanOrEqual(40)
    const seen = new Set<string>()
    for (;;) {
      for (const id of await page
        .locator('.tile')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))) {
        if (id) seen.add(id)
      }
      const next = page.getByRole('button', { name: '下一页' })
      if (await next.isDisabled()) break
      await next.click()
    }
    expect(seen.size).toBe(total)
    await page.click('.tab[data-mode="department"]')
    await page.click('.chip[data-department="housing-fund"]')
    const housing = await page.locator('.tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))
    expect(housing.sort()).toEqual(
      rig.agent.catalogue
        .offered()
        .filter((s) => s.department === 'housing-fund')
        .map((s) => s.id)
        .sort(),
    )
    await page.click('.tab[data-mode="category"]')
    await page.click('.chip[data-category="queue"]')
    expect(await page.locator('.tile').count()).toBe(1)
    await page.click('.tab[data-mode="search"]')
    for (const letter of 'WSZM') await page.click(`.letter[data-letter="${letter}"]`)
    expect(await page.locator('.tile').first().getAttribute('data-service')).toBe('tax-certificate')
    await shootAndCheck(page, 'kiosk-catalogue-search')
    await page.click('.letter[data-letter="⌫"]')
    await page.context().close()
  })

  it('finds services in Chinese without a keyboard: a tapped word finds every service it names, over pages', async () => {
    const page = await open()
    await page.click('.tab[data-mode="search"]')
    const words = await page.locator('.words .chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-word')))
    expect(words.length).toBeGreaterThan(5)
    expect(words).toContain('公积金')
    await page.click('.words .chip[data-word="公积金"]')
    expect(await page.locator('.search-entry').textContent()).toBe('公积金')
    const found = new Set<string>()
    for (;;) {
      for (const id of await page.locator('.tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-service'))))
        if (id) found.add(id)
      const next = page.getByRole('button', { name: '下一页' })
      if ((await next.count()) === 0 || (await next.isDisabled())) break
      await next.click()
    }
    const named = rig.agent.catalogue
      .offered()
      .filter((s) => rig.agent.catalogue.searchKeys(s.id).some((k) => k.includes('公积金')))
      .map((s) => s.id)
    expect(named.length).toBeGreaterThan(1)
    expect([...found].sort()).toEqual(named.sort())
    for (const [name, width, height] of [
      ['kiosk-catalogue-search-words-portrait', 1080, 1920],
      ['kiosk-catalogue-search-words-landscape', 1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height })
      await shootAndCheck(page, name)
    }
    // Letters after a word start a new search by pinyin initials.
    for (const letter of 'WSZM') await page.click(`.letter[data-letter="${letter}"]`)
    expect(await page.locator('.search-entry').textContent()).toBe('wszm')
    expect(await page.locator('.tile').first().getAttribute('data-service')).toBe('tax-certificate')
    await page.context().close()
  })

  it('shows the menu in portrait 1080×1920 and landscape 1920×1080, laid out again when the screen turns', async () => {
    const page = await open()
    await page.click('.tab[data-mode="popular"]')
    // Nothing is touched between the turns: the menu follows the screen by itself.
    for (const [name, width, height, tiles] of [
      ['kiosk-catalogue-menu-portrait', 1080, 1920, 12],
      ['kiosk-catalogue-menu-landscape', 1920, 1080, 9],
      ['kiosk-catalogue-menu-portrait', 1080, 1920, 12],
    ] as const) {
      await page.setViewportSize({ width, height })
      await waitFor(`${tiles} tiles at ${width}×${height}`, async () => (await page.locator('.tile').count()) === tiles)
      await screenshot(page, name)
    }
    await page.context().close()
  })

  it('queue ticket: no identity, an option, a receipt; the most used service moves first', async () => {
    const page = await open()
    rig.receipt?.clearPrinted()
    await choose(page, 'queue-ticket')
    await waitScreen(page, 'option')
    await page.click('[data-option="B"]')
    await waitScreen(page, 'result')
    expect(await page.locator('.facts dt').textContent()).toMatch(/^B\d{3}$/)
    await page.getByRole('button', { name: '打印排队号' }).click()
    await waitScreen(page, 'done')
    const receipt = renderText(rig.receipt?.printed ?? [], generic80mm.dotsPerLine).replace(/ +/g, '')
    expect(receipt).toContain('社保医保')
    await page.click('text=办理完成')
    await waitScreen(page, 'attract')
    await page.click('.attract-touch')
    await page.locator('.tile').first().waitFor()
    expect(await page.locator('.tile').first().getAttribute('data-service')).toBe('queue-ticket')
    await page.context().close()
  })

  it('housing-fund withdrawal progress: ID card, records, a QR code to continue on the phone', async () => {
    const page = await open()
    await choose(page, 'hf-withdrawal-progress')
    await placeCard(page)
    await waitScreen(page, 'result')
    expect(await page.locator('.record-title').first().textContent()).toContain('租房提取')
    await page.getByRole('button', { name: '用手机继续办理' }).click()
    await waitScreen(page, 'qr')
    expect(await page.locator('.qr-url').textContent()).toBe('https://zwfw.example.gov.cn/m/progress/TQ2026010700118')
    expect(await page.locator('.qr-image').getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    await shootAndCheck(page, 'kiosk-catalogue-qr')
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })

  it('income tax record: a period, records, an A4 document from a template', async () => {
    const page = await open()
    await choose(page, 'iit-records')
    await placeCard(page)
    await waitScreen(page, 'period')
    await page.click('[data-period="last12"]')
    await waitScreen(page, 'result')
    expect(await page.locator('.pager .page-of').textContent()).toContain('共 12 项')
    await page.getByRole('button', { name: '打印纳税记录（A4）' }).click()
    await waitScreen(page, 'done', 30_000)
    const ipp = rig.ipp
    if (!ipp) throw new Error('no A4 printer')
    const pdf = await waitFor('the PDF at ippeveprinter', () => spooledPdfText(ipp).at(-1))
    expect(pdf.replace(/\s+/g, '')).toContain('个人所得税纳税记录')
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })

  it('real-estate query: choose a property, its document fetched from the gateway, printed on A4', async () => {
    const page = await open()
    await choose(page, 'property-records')
    await placeCard(page)
    await page.locator('.record.choice').first().click()
    await waitScreen(page, 'done', 30_000)
    const ipp = rig.ipp
    if (!ipp) throw new Error('no A4 printer')
    const pdf = await waitFor('the property PDF', () =>
      spooledPdfText(ipp).find((t) => t.replace(/\s+/g, '').includes('不动产登记信息查询结果')),
    )
    expect(pdf.replace(/\s+/g, '')).toContain('新街42号')
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })

  it('company lookup: a typed code, facts on screen only', async () => {
    const page = await open()
    await choose(page, 'enterprise-info')
    await placeCard(page)
    await waitScreen(page, 'code')
    for (const d of '20260115') await page.click(`.key[data-key="${d}"]`)
    await page.getByRole('button', { name: '确定' }).click()
    await page.locator('.facts dt', { hasText: '柳湾生态农业专业合作社' }).waitFor()
    expect(await page.locator('[data-output]').count()).toBe(0)
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })

  it('tax documents by scan: ID card, a page scanned through SANE, what the department received', async () => {
    const page = await open()
    await choose(page, 'tax-document-scan')
    await placeCard(page)
    await waitScreen(page, 'scan')
    expect(await page.locator('[data-screen="scan"] h1').textContent()).toBe('请把资料正面朝下放在扫描仪上')
    await page.getByRole('button', { name: '开始扫描' }).click()
    await waitScreen(page, 'result', 60_000)
    // The demo tax gateway answers the number of pages it was sent: the scanned page reached it.
    expect(await page.locator('.facts dt').textContent()).toMatch(/^受理编号 SS\d{6}$/)
    expect(await page.locator('.facts dd', { hasText: '页数' }).textContent()).toBe('页数 1')
    await shootAndCheck(page, 'kiosk-catalogue-scan')
    await page.click('text=办理完成')
    await takeCardBack(page)
    // The page image lived in the session only: nothing of it in the kiosk's files or logs.
    expect(rig.dataDirText().includes('iVBORw0KGgo')).toBe(false)
    expect(rig.logs.join('').includes('iVBORw0KGgo')).toBe(false)
    await page.context().close()
  })

  it('housing-fund annual statement: a query password on the keypad, exactly its length, masked, then the records', async () => {
    const page = await open()
    await choose(page, 'hf-annual-statement')
    await placeCard(page)
    await waitScreen(page, 'pin')
    const screen = page.locator('[data-screen="pin"]')
    expect(await screen.getAttribute('data-input')).toBe('queryPassword')
    expect(await screen.locator('h1').textContent()).toBe('请输入公积金查询密码（6位数字）')
    const confirm = page.getByRole('button', { name: '确定' })
    const password = '270415'
    for (const d of password.slice(0, 5)) await page.click(`.key[data-key="${d}"]`)
    expect(await confirm.isDisabled()).toBe(true)
    await page.click(`.key[data-key="${password.slice(5)}"]`)
    await page.click('.key[data-key="9"]') // a seventh digit is not taken
    expect(await screen.locator('.entry').textContent()).toBe('●●●●●●')
    expect(await confirm.isDisabled()).toBe(false)
    expect(await page.content()).not.toContain(password)
    await shootAndCheck(page, 'kiosk-catalogue-pin')
    await confirm.click()
    await waitScreen(page, 'result')
    const years = await page.locator('.record-title').allTextContents()
    expect(years.length).toBeGreaterThan(0)
    for (const year of years) expect(year).toMatch(/^\d{4}年度 年末余额 [\d,]+\.\d{2} 元$/)
    expect(await page.content()).not.toContain(password)
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })

  it("a department's gateway outage makes only its services unavailable, reported to the fleet with an alert per service, and recovers", async () => {
    gateway.setOutage('housing-fund', true)
    const page = await open()
    await choose(page, 'hf-account-info')
    await placeCard(page)
    await waitScreen(page, 'error')
    expect(await page.locator('[data-screen="error"]').getAttribute('data-error')).toBe('backendUnavailable')
    await page.getByRole('button', { name: '再试一次' }).click()
    // The second failure opens the circuit: every housing-fund service goes unavailable at once.
    await waitFor('housing fund unavailable', () =>
      rig.agent.services.availability().some((s) => s.serviceId === 'hf-account-info' && s.reason === 'gatewayDown'),
    )
    const hf = rig.agent.catalogue
      .offered()
      .filter((s) => s.department === 'housing-fund')
      .map((s) => s.id)
      .sort()
    const gatewayDown = (services: { serviceId: string; reason?: string }[]) =>
      services
        .filter((s) => s.reason === 'gatewayDown')
        .map((s) => s.serviceId)
        .sort()
    expect(gatewayDown(rig.agent.services.availability())).toEqual(hf)
    const atFleet = await waitFor('the fleet sees the reason', async () => {
      const k = await stack.api<KioskApi>('/api/kiosks/e2e-catalogue-01')
      return gatewayDown(k.services).length > 0 ? k : undefined
    })
    expect(gatewayDown(atFleet.services)).toEqual(hf)
    // An alert per service, naming the cause. The site is open all week, so no closure holds it back.
    const allDay = [{ start: '00:00', end: '24:00' }]
    const schedule = await stack.api<{ siteId?: string }>(`/api/sites/${atFleet.site?.id}/schedule`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        openingHours: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, allDay])),
        windows: [],
      }),
    })
    expect(schedule.siteId, JSON.stringify(schedule)).toBe(atFleet.site?.id)
    const alerted = async (state: string) =>
      (
        await stack.api<{ alerts: Alert[] }>(
          `/api/alerts?kiosk=e2e-catalogue-01&rule=serviceUnavailable&state=${state}&limit=200`,
        )
      ).alerts
    const raised = await waitFor('an alert per housing-fund service', async () => {
      const alerts = await alerted('active')
      return alerts.length === hf.length ? alerts : undefined
    })
    expect(raised.map((a) => a.deviceId).sort()).toEqual(hf.map((id) => `service:${id}`))
    expect(raised.every((a) => a.message.endsWith('(department gateway failing)'))).toBe(true)
    await page.click('text=回到首页')
    await takeCardBack(page)
    await page.click('.attract-touch')
    await page.click('.tab[data-mode="department"]')
    await page.click('.chip[data-department="housing-fund"]')
    expect(await page.locator('.tile.disabled').count()).toBe(await page.locator('.tile').count())
    await shootAndCheck(page, 'kiosk-catalogue-department-down')
    gateway.setOutage('housing-fund', false)
    // After openMs one trial is let through; it succeeds and the circuit closes.
    await page.locator('.tile[data-service="hf-account-info"]:not(.disabled)').waitFor({ timeout: 60_000 })
    await page.click('.tile[data-service="hf-account-info"]')
    await placeCard(page)
    await page.locator('.facts dt', { hasText: '38,652.20' }).waitFor()
    expect(rig.agent.gateway.state('housing-fund')).toBe('closed')
    await waitFor('the alerts resolve', async () => (await alerted('active')).length === 0)
    // Each housing-fund service's alert resolved (the kiosk's history also holds other services'
    // alerts, raised while earlier tests emptied a printer).
    const resolved = new Set((await alerted('resolved')).map((a) => a.deviceId))
    expect(hf.filter((id) => !resolved.has(`service:${id}`))).toEqual([])
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
    // The circuit stays open for its 30 s before the trial: more than the default minute in all.
  }, 120_000)

  it('a brand-new service published through the fleet as data (signed bundle, approval, rollout) runs on the running kiosk, never swapped mid-session', async () => {
    const fleet = stack.fleet()
    // The medical-insurance department's publisher: its own key, registered by IT as its delegated role.
    const publisher = await testUser(fleet, 'mi-publisher', 'department', { departments: ['medical-insurance'] })
    const itAdmin = await testUser(fleet, 'it-ops', 'admin')
    const cli = (auth: { authorization: string }, name: string) => ({
      FLEETCTL_SERVER: fleet.httpUrl,
      FLEETCTL_TOKEN: auth.authorization.replace(/^Bearer /, ''),
      FLEETCTL_CONFIG: join(work, name, 'config.json'),
    })
    const keyFile = join(work, 'mi-key.json')
    const generated = await runFleetctl(['keys', 'generate', '--out', keyFile])
    expect(generated.code, generated.stderr).toBe(0)
    writeFileSync(join(work, 'mi-public.json'), generated.stdout)
    const added = await runFleetctl(
      ['departments', 'add', 'medical-insurance', '--name', '医疗保障局', '--key', join(work, 'mi-public.json')],
      cli(itAdmin, 'admin'),
    )
    expect(added.code, added.stderr).toBe(0)

    // The department's folder with a new matter: a definition and a receipt template; its gateway answers it.
    const source = join(work, 'catalogue')
    cpSync(join(catalogueDir, 'medical-insurance'), join(source, 'medical-insurance'), { recursive: true })
    writeFileSync(
      join(source, 'medical-insurance/services/mi-designated-hospitals.json'),
      JSON.stringify({
        id: 'mi-designated-hospitals',
        version: 1,
        department: 'medical-insurance',
        name: { zh: '医保定点医院查询', en: 'Designated hospitals' },
        guidance: { zh: '查看您的医保定点医疗机构。', en: 'See your designated hospitals.' },
        category: 'records',
        keywords: ['定点', '医院'],
        identity: 'idCard',
        gateway: { query: { operation: 'designated-hospitals' } },
        view: {
          kind: 'records',
          title: { zh: '您的定点医疗机构', en: 'Your designated hospitals' },
          empty: { zh: '没有定点医疗机构。', en: 'None.' },
          record: {
            title: { zh: '{{record.name}}', en: '{{record.name}}' },
            lines: [{ label: { zh: '等级', en: 'Level' }, value: '{{record.level}}' }],
          },
        },
        output: { kind: 'receipt', template: 'mi-hospitals-receipt', action: { zh: '打印定点医院', en: 'Print' } },
        peripherals: [['idCardReader'], ['receiptPrinter']],
      }),
    )
    writeFileSync(
      join(source, 'medical-insurance/templates/mi-hospitals-receipt.json'),
      JSON.stringify({
        id: 'mi-hospitals-receipt',
        kind: 'receipt',
        department: 'medical-insurance',
        version: 1,
        header: [{ type: 'text', text: '医保定点医疗机构', align: 'center', bold: true }],
        each: [{ type: 'pair', left: '{{record.name}}', right: '{{record.level}}' }],
        footer: [{ type: 'feed', lines: 2 }],
      }),
    )
    const data = JSON.parse(readFileSync(join(gatewayDir, 'medical-insurance.json'), 'utf8'))
    data.operations['designated-hospitals'] = {
      records: [
        { name: '花溪镇中心卫生院', level: '一级' },
        { name: '花溪县人民医院', level: '二级甲等' },
      ],
    }
    writeFileSync(join(gatewayDir, 'medical-insurance.json'), JSON.stringify(data))

    // A malformed definition is refused at upload by the fleet, with every error listed.
    const bad = new TextEncoder().encode(
      JSON.stringify({
        format: 'kiosk-catalogue-bundle/1',
        department: 'medical-insurance',
        version: '2026.12.0',
        files: [
          {
            path: 'medical-insurance/department.json',
            text: readFileSync(join(source, 'medical-insurance/department.json'), 'utf8'),
          },
          { path: 'medical-insurance/services/broken.json', text: '{"id":"Broken Id","identity":"palm"}' },
        ],
      }),
    )
    const refused = await pushOverHttp(fleet.httpUrl, publisher, bad, '2026.12.0')
    expect(refused.status).toBe('rejected')
    expect(refused.statusReason).toMatch(/broken\.json/)
    expect(refused.errors.length).toBeGreaterThan(1)
    // A valid bundle whose service id another department already has is refused too: the fleet checks
    // a bundle laid over its catalogue, as kiosks will run it.
    const taken = JSON.parse(
      readFileSync(join(DEFAULT_CATALOGUE_DIR, 'housing-fund/services/hf-account-info.json'), 'utf8'),
    )
    const clash = new TextEncoder().encode(
      JSON.stringify({
        format: 'kiosk-catalogue-bundle/1',
        department: 'medical-insurance',
        version: '2026.11.1',
        files: [
          {
            path: 'medical-insurance/department.json',
            text: readFileSync(join(source, 'medical-insurance/department.json'), 'utf8'),
          },
          {
            path: 'medical-insurance/services/hf-account-info.json',
            text: JSON.stringify({ ...taken, department: 'medical-insurance' }),
          },
        ],
      }),
    )
    const clashed = await pushOverHttp(fleet.httpUrl, publisher, clash, '2026.11.1')
    expect(clashed.status).toBe('rejected')
    expect(clashed.errors).toEqual([
      `with the fleet's catalogue: medical-insurance/services/hf-account-info.json /id: service id "hf-account-info" is also defined in housing-fund/services/hf-account-info.json`,
    ])

    // The good bundle: built, pushed and signed on the department's machine with the real fleetctl.
    const bundleFile = join(work, 'mi-2026.12.1.json')
    const bundled = await runFleetctl([
      'services',
      'bundle',
      source,
      '--department',
      'medical-insurance',
      '--version',
      '2026.12.1',
      '--out',
      bundleFile,
    ])
    expect(bundled.code, bundled.stderr).toBe(0)
    const pushed = await runFleetctl(
      ['services', 'push', bundleFile, '--key', keyFile, '--json'],
      cli(publisher, 'publisher'),
    )
    expect(pushed.code, pushed.stderr).toBe(0)
    const artifact = JSON.parse(pushed.stdout) as { id: string; status: string; targetPath: string }
    expect(artifact).toMatchObject({
      status: 'ready',
      targetPath: 'catalogue/medical-insurance/medical-insurance-2026.12.1.json',
    })

    // A citizen is being served when the rollout reaches the kiosk.
    const page = await open()
    await choose(page, 'mi-account-balance')
    await placeCard(page)
    await waitScreen(page, 'result')

    const approve = await fetch(`${fleet.httpUrl}/api/artifacts/${artifact.id}/approvals`, {
      method: 'POST',
      headers: { ...itAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ department: 'test-department' }),
    })
    expect(approve.status).toBe(200)
    const rollout = await runFleetctl(
      [
        'services',
        'rollout',
        artifact.id,
        '--name',
        '医保定点医院查询上线',
        '--groups',
        '100%',
        '--immediate',
        '--success',
        '1',
        '--min-sample',
        '1',
        '--json',
      ],
      cli(itAdmin, 'admin'),
    )
    expect(rollout.code, rollout.stderr).toBe(0)
    const rolloutId = (JSON.parse(rollout.stdout) as { id: string }).id
    // Approved by someone else than its creator, then started.
    for (const step of ['approve', 'start']) {
      const answer = await stack.api<{ status?: string; code?: string }>(`/api/rollouts/${rolloutId}/${step}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(answer.code, JSON.stringify(answer)).toBeUndefined()
    }
    // Downloaded and verified, it waits: the citizen on screen keeps the catalogue they started with.
    await waitFor('the bundle downloaded, waiting for the session to end', async () => {
      const rows = await stack.api<{ kiosks: { state: string; blockedBy: string[] | null }[] }>(
        `/api/rollouts/${rolloutId}/kiosks?limit=10`,
      )
      return rows.kiosks.some((k) => k.state === 'downloaded' && k.blockedBy?.includes('sessionActive'))
    })
    expect(rig.agent.catalogue.service('mi-designated-hospitals')).toBeUndefined()
    await page.click('text=办理完成')
    await takeCardBack(page)
    await waitFor(
      'the rollout completed',
      async () => {
        const r = await stack.api<{ status: string }>(`/api/rollouts/${rolloutId}`)
        if (r.status === 'halted' || r.status === 'aborted') throw new Error(`rollout ${r.status}`)
        return r.status === 'completed'
      },
      60_000,
    )
    expect(rig.agent.catalogue.service('mi-designated-hospitals')).toBeDefined()
    // The fleet's services page knows the matter too, under its department.
    const overview = await stack.api<{ departments: { id: string; services: { id: string }[] }[] }>('/api/services')
    const mi = overview.departments.find((d) => d.id === 'medical-insurance')
    expect(mi?.services.map((x) => x.id)).toContain('mi-designated-hospitals')

    // The citizen runs the new matter on the same running kiosk: no restart, no code.
    rig.receipt?.clearPrinted()
    await page.click('.attract-touch')
    await choose(page, 'mi-designated-hospitals')
    await placeCard(page)
    await page.locator('.record-title', { hasText: '花溪县人民医院' }).waitFor()
    await page.getByRole('button', { name: '打印定点医院' }).click()
    await waitScreen(page, 'done')
    const receipt = renderText(rig.receipt?.printed ?? [], generic80mm.dotsPerLine).replace(/ +/g, '')
    expect(receipt).toContain('花溪镇中心卫生院')
    await page.click('text=办理完成')
    await takeCardBack(page)
    await page.context().close()
  })
})

/** Creates a catalogue artifact and uploads `bytes` through the HTTP API; the artifact as it ends. */
async function pushOverHttp(
  base: string,
  auth: { authorization: string },
  bytes: Uint8Array,
  version: string,
): Promise<{ status: string; statusReason: string | null; errors: string[] }> {
  const created = await fetch(`${base}/api/artifacts`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'catalogue',
      department: 'medical-insurance',
      version,
      fileName: 'bundle.json',
      length: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      compatibility: {},
    }),
  })
  const body = (await created.json()) as { artifact: { id: string }; upload: { id: string } }
  expect(created.status, JSON.stringify(body)).toBe(201)
  const patched = await fetch(`${base}/api/uploads/${body.upload.id}`, {
    method: 'PATCH',
    headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    body: Buffer.from(bytes),
  })
  expect(patched.status).toBe(204)
  const artifact = (await (await fetch(`${base}/api/artifacts/${body.artifact.id}`, { headers: auth })).json()) as {
    status: string
    statusReason: string | null
  }
  return { ...artifact, errors: (artifact.statusReason ?? '').split('; ') }
}

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startCaptureLink } from '../../kiosk/shell/src/capture-link.ts'
import { ARTIFACTS_DIR, launchChromium, screenshot } from '../support/browser.ts'
import { CdpScreenCapturer } from '../support/cdp-screen-capturer.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { runFleetctl } from '../support/fleetctl-bin.ts'
import { openKioskPage, waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { captureMqtt, type MqttCapture } from '../support/mqtt-capture.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const KIOSK = 'e2e-shot-01'
const fleetctlDir = mkdtempSync(join(tmpdir(), 'fleetctl-shot-'))
const fleetctlEnv = { FLEETCTL_CONFIG: join(fleetctlDir, 'config.json') }

interface Outcome {
  status: string
  data?: Record<string, unknown>
}

describe('remote screenshot: the idle screen for IT staff, never a citizen', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig
  let capture: MqttCapture
  const screen = new CdpScreenCapturer()
  let link: { stop(): void } | undefined
  const card = fixtureCard('resident-zhang-san')

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    capture = await captureMqtt(stack.mqttUrl)
    browser = await launchChromium()
    rig = await startKioskRig({ kioskId: KIOSK, machineType: 'id', mqttUrl: stack.mqttUrl })
    // The shell's capture link, as on a kiosk, with Chromium (over CDP) in place of the Electron window.
    const citizen = rig.agent.citizen
    if (citizen === undefined) throw new Error('no citizen UI')
    link = startCaptureLink({
      endpoint: () => ({ url: citizen.url, token: citizen.token }),
      connect: (url, protocols) => new WebSocket(url, protocols) as never,
      capture: (options) => screen.capture(options),
      retryMs: 200,
    })
  }, 180_000)
  afterAll(async () => {
    link?.stop()
    await browser?.close()
    await rig?.stop()
    await capture?.close()
    await stack?.stop()
  })

  const takeScreenshot = () =>
    stack.api<Outcome>(`/api/kiosks/${KIOSK}/commands/screenshot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: {} }),
    })
  const image = async () => {
    const response = await fetch(`${stack.fleet().httpUrl}/api/kiosks/${KIOSK}/screenshot/image`, {
      headers: { cookie: stack.adminCookie },
    })
    return { type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) }
  }

  it('takes the idle screen, downscaled, and the fleet shows it as a decodable image of that size', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    screen.page = page
    await waitScreen(page, 'attract')
    // The shell's offer may still be on its way when the first request comes: it answers noDisplay then.
    const answer = await waitFor('a screenshot through the shell link', async () => {
      const a = await takeScreenshot()
      return a.data?.refused === 'noDisplay' ? undefined : a
    })
    // 1280×1024 scaled to a longest side of 960.
    expect(answer).toMatchObject({
      status: 'ok',
      data: { taken: true, mimeType: 'image/jpeg', width: 960, height: 768 },
    })
    expect(answer.data?.image).toBeUndefined()

    const shot = await image()
    expect(shot.type).toBe('image/jpeg')
    expect(shot.bytes.length).toBe(answer.data?.bytes)
    mkdirSync(ARTIFACTS_DIR, { recursive: true })
    writeFileSync(join(ARTIFACTS_DIR, 'kiosk-remote-screenshot.jpg'), shot.bytes)
    // Decoded by Chromium, not just sniffed.
    const viewer = await browser.newPage()
    const size = await viewer.evaluate(
      async (src) => {
        const img = new Image()
        img.src = src
        await img.decode()
        return [img.naturalWidth, img.naturalHeight]
      },
      `data:image/jpeg;base64,${shot.bytes.toString('base64')}`,
    )
    expect(size).toEqual([960, 768])
    await viewer.close()

    const meta = await stack.api<{ takenAt: string; requestedBy: string }>(`/api/kiosks/${KIOSK}/screenshot`)
    expect(meta.requestedBy).toBe('admin')
    // The command log keeps what was taken, not the picture; the MQTT answer carried it once.
    const { commands } = await stack.api<{ commands: { command: string; response: unknown }[] }>(
      `/api/kiosks/${KIOSK}/commands`,
    )
    const logged = commands.find((c) => c.command === 'screenshot')
    expect(logged?.response).toMatchObject({ taken: true, width: 960, height: 768 })
    expect(JSON.stringify(logged?.response)).not.toContain(shot.bytes.subarray(0, 30).toString('base64'))

    // The same from the command line: fleetctl kiosks screenshot --out.
    const login = await runFleetctl(
      ['login', '--server', stack.fleet().httpUrl, '--user', 'admin', '--password-stdin'],
      fleetctlEnv,
      `${TEST_ADMIN_PASSWORD}\n`,
    )
    expect(login.code).toBe(0)
    const out = join(fleetctlDir, 'screen.jpg')
    const cli = await runFleetctl(['kiosks', 'screenshot', KIOSK, '--out', out, '--max-side', '480'], fleetctlEnv)
    expect(cli).toMatchObject({ code: 0 })
    expect(cli.stdout).toContain('480×384')
    const saved = readFileSync(out)
    expect([...saved.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]) // a JPEG
    await page.context().close()

    // The dashboard's kiosk page shows the latest picture (fleetctl's, 480 wide) with the time it was
    // taken, on a phone and on a desk.
    for (const [name, viewport] of [
      ['dashboard-kiosk-screenshot-portrait', { width: 430, height: 932 }],
      ['dashboard-kiosk-screenshot', { width: 1280, height: 900 }],
    ] as const) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' })
      const [cookieName, cookieValue] = stack.adminCookie.split('=') as [string, string]
      await context.addCookies([{ name: cookieName, value: cookieValue, url: stack.fleet().httpUrl }])
      const dashboard = await context.newPage()
      await dashboard.goto(`${stack.fleet().httpUrl}/#/kiosk/${KIOSK}`)
      const img = dashboard.locator('.screen-panel figure.screenshot img')
      await img.waitFor()
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(480)
      expect(await dashboard.locator('.screen-panel figcaption').textContent()).toContain('admin')
      await screenshot(dashboard, name)
      await context.close()
    }
  }, 90_000)

  it('refuses with sessionActive while a citizen is served, and nothing of the citizen leaves the kiosk', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    screen.page = page
    const capturesBefore = screen.captures
    const before = await stack.api<{ transaction: string }>(`/api/kiosks/${KIOSK}/screenshot`)
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    rig.reader.presentCard(card)
    await page.locator('.citizen-name', { hasText: '张三' }).waitFor()

    expect(await takeScreenshot()).toMatchObject({ status: 'ok', data: { taken: false, refused: 'sessionActive' } })
    const cli = await runFleetctl(['kiosks', 'screenshot', KIOSK, '--out', join(fleetctlDir, 'never.jpg')], fleetctlEnv)
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain('refused: sessionActive')
    expect(existsSync(join(fleetctlDir, 'never.jpg'))).toBe(false)
    // The screen was not even captured, and the fleet still has the idle picture only.
    expect(screen.captures).toBe(capturesBefore)
    expect((await stack.api<{ transaction: string }>(`/api/kiosks/${KIOSK}/screenshot`)).transaction).toBe(
      before.transaction,
    )

    await page.click('text=办理完成')
    await waitScreen(page, 'takeCard')
    rig.reader.removeCard()
    await waitScreen(page, 'attract')
    // Just after the session: still refused while the UI settles back.
    expect(await takeScreenshot()).toMatchObject({ status: 'ok', data: { taken: false, refused: 'sessionActive' } })

    const dbText = await fleetDatabaseText(stack)
    for (const secret of [card.text.name, card.text.idNumber, card.text.address]) {
      expect(rig.logs.join('').includes(secret), `log has ${secret}`).toBe(false)
      expect(
        capture.messages.some((m) => m.payload.includes(secret)),
        `MQTT has ${secret}`,
      ).toBe(false)
      expect(dbText.includes(secret), `fleet database has ${secret}`).toBe(false)
    }
    expect(capture.messages.some((m) => m.topic === `kiosk/v1/${KIOSK}/res/screenshot`)).toBe(true)
    await page.context().close()
  }, 90_000)
})

/** Every row of every table of the fleet's schema, as text. */
async function fleetDatabaseText(stack: TestStack): Promise<string> {
  const db = stack.fleet().db
  const tables = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  )
  const parts: string[] = []
  for (const { table_name } of tables) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`)
    parts.push(...rows.map((r) => r.row))
  }
  return parts.join('\n')
}

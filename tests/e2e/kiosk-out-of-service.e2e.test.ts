import { Ga467Emulator } from '@drivers/card-reader-ga467/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { openKioskPage, passFaceCheck, shootAndCheck, waitScreen } from '../support/kiosk-page.ts'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { ptyPairAt } from '../support/pty-at.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

describe('a reader unplugged and plugged back', () => {
  let stack: TestStack
  let browser: Browser
  let rig: KioskRig
  const extra: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    browser = await launchChromium()
    rig = await startKioskRig({ kioskId: 'e2e-oos-01', machineType: 'id', mqttUrl: stack.mqttUrl })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    for (const e of extra) await e.close()
    await rig?.stop()
    await stack?.stop()
  })

  it('puts the kiosk out of service with the reason and where to go, tells the fleet, and recovers on replug', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    await rig.reader.stop()
    await rig.readerPty.close()

    await waitScreen(page, 'out-of-service')
    expect(await page.locator('[data-screen="out-of-service"]').getAttribute('data-reason')).toBe('reader')
    expect(await page.locator('.where').textContent()).toContain('人工服务窗口')
    await shootAndCheck(page, 'kiosk-out-of-service')
    const fleetView = await waitFor('reader noDevice at the fleet', async () => {
      const k = await stack.api<{ peripherals: { deviceId: string; status: { state: string } }[] }>(
        '/api/kiosks/e2e-oos-01',
      )
      return k.peripherals.find((p) => p.deviceId === 'idcard')?.status.state === 'noDevice' ? k : undefined
    })
    expect(fleetView).toBeDefined()
    expect(rig.agent.recordHealth().mode).toBe('outOfService')

    // Plug it back in at the same path: the driver's backoff reconnect finds it.
    const pty = await ptyPairAt(rig.readerPty.deviceEnd, rig.readerPty.hostEnd)
    extra.push(pty)
    const reader = new Ga467Emulator({
      transport: new SerialTransport({ path: rig.readerPty.deviceEnd, baudRate: 115200 }),
    })
    await reader.start()
    extra.unshift({ close: () => reader.stop() })
    await waitScreen(page, 'attract', 30_000)
    await page.click('.attract-touch')
    await waitScreen(page, 'card')
    reader.presentCard(fixtureCard())
    await page.locator('.citizen-name').waitFor()
    await passFaceCheck(page, 'result')
    await page.click('text=办理完成')
    await page.context().close()
  }, 90_000)

  it('goes out of service while IT staff keep it in maintenance, and back when they release it', async () => {
    const page = await openKioskPage(browser, rig.uiUrl)
    await waitScreen(page, 'attract')
    const command = (name: string, params: Record<string, unknown> = {}) =>
      stack.api<{ status: string; data: { mode: string } }>(`/api/kiosks/e2e-oos-01/commands/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // enter-maintenance is disruptive: the API wants it confirmed.
        body: JSON.stringify({ params, confirm: true }),
      })
    expect(await command('enter-maintenance', { reason: 'replacing the reader' })).toMatchObject({
      status: 'ok',
      data: { mode: 'maintenance' },
    })
    await waitScreen(page, 'out-of-service')
    expect(await page.locator('[data-screen="out-of-service"]').getAttribute('data-reason')).toBe('system')
    await shootAndCheck(page, 'kiosk-maintenance')
    expect(await command('leave-maintenance')).toMatchObject({ status: 'ok', data: { mode: 'inService' } })
    await waitScreen(page, 'attract')
    await page.context().close()
  }, 60_000)
})

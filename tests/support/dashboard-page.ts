import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FleetServer } from '@fleet/server'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './browser.ts'
import { createTestDatabase, type TestDatabase } from './databases.ts'
import type { SimKiosk } from './rollout-sim.ts'
import { createTestUpdateKeys, startUpdateFleet, type TestUpdateKeys } from './update-keys.ts'

/** Logs in through the dashboard's form at `fleetUrl` and waits until the header names the user. */
export async function logInToDashboard(page: Page, fleetUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${fleetUrl}/`)
  await page.fill('#login input[name=username]', user)
  await page.fill('#login input[name=password]', password)
  await page.click('#login button[type=submit]')
  await page.locator('#who', { hasText: user }).waitFor()
}

/** A fleet-server with its update repository (test keys, a PGlite database) and Debian's Chromium. */
export interface UpdateDashboard {
  fleet: FleetServer
  browser: Browser
  /** A scratch folder of the test's own, removed by stop(). */
  work: string
  /** The simulated kiosks the test connects: stop() disconnects them. */
  kiosks: SimKiosk[]
  /** A new 1280×900 zh-CN page logged in as `user`. */
  openAs(user: string, password: string): Promise<Page>
  stop(): Promise<void>
}

/** Starts an UpdateDashboard; `name` prefixes its scratch folder. Undoes what it started if a step fails. */
export async function startUpdateDashboard(name: string): Promise<UpdateDashboard> {
  const work = mkdtempSync(join(tmpdir(), `${name}-`))
  const kiosks: SimKiosk[] = []
  let keys: (TestUpdateKeys & { cleanup(): Promise<void> }) | undefined
  let database: TestDatabase | undefined
  let fleet: FleetServer | undefined
  let browser: Browser | undefined
  const stop = async () => {
    for (const k of kiosks) await k.disconnect().catch(() => undefined)
    await browser?.close()
    await fleet?.stop()
    await database?.drop()
    await keys?.cleanup()
    rmSync(work, { recursive: true, force: true })
  }
  try {
    keys = await createTestUpdateKeys()
    database = await createTestDatabase('pglite')
    fleet = await startUpdateFleet({ database, updatesDir: join(work, 'repo'), keys })
    browser = await launchChromium()
  } catch (err) {
    await stop()
    throw err
  }
  return {
    fleet,
    browser,
    work,
    kiosks,
    async openAs(user, password) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
      await logInToDashboard(page, fleet.httpUrl, user, password)
      return page
    },
    stop,
  }
}

/**
 * The dashboard's update pages in Debian's Chromium against a real fleet-server with its update
 * repository: artifacts (list, detail with compatibility and approvals, a department user approving)
 * and a rollout whose per-group progress and per-kiosk states change live as kiosks report.
 */
import { createHash } from 'node:crypto'
import { type FleetServer, KioskCredentials } from '@fleet/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testAppReleaseOfSize } from '../support/artifact-bytes.ts'
import { screenshot, seriousA11yViolations } from '../support/browser.ts'
import { startUpdateDashboard, type UpdateDashboard } from '../support/dashboard-page.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { SimKiosk } from '../support/rollout-sim.ts'
import { testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

type Auth = { authorization: string }

async function call<T>(fleet: FleetServer, auth: Auth, method: string, path: string, body?: unknown): Promise<T> {
  const bytes = body instanceof Uint8Array
  const response = await fetch(`${fleet.httpUrl}${path}`, {
    method,
    headers: {
      ...auth,
      ...(body === undefined ? {} : { 'content-type': bytes ? 'application/offset+octet-stream' : 'application/json' }),
      ...(bytes ? { 'upload-offset': '0' } : {}),
    },
    ...(body === undefined ? {} : { body: bytes ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body) }),
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** An app release pushed through the API in one PATCH; ready once the last byte lands. */
async function pushApp(fleet: FleetServer, admin: Auth, version: string, machineTypes: string[]): Promise<string> {
  const bytes = testAppReleaseOfSize(version, 50_000)
  const created = await call<{ artifact: { id: string }; upload: { id: string } }>(
    fleet,
    admin,
    'POST',
    '/api/artifacts',
    {
      kind: 'app',
      version,
      fileName: `kiosk-app-${version}.tar.gz`,
      length: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      compatibility: { machineTypes, hwRevisions: [], minAppVersion: '1.0.0' },
      notes: '修复凭条打印乱码',
    },
  )
  await call(fleet, admin, 'PATCH', `/api/uploads/${created.upload.id}`, new Uint8Array(bytes))
  return created.artifact.id
}

describe('dashboard update pages in Chromium', () => {
  let dashboard: UpdateDashboard
  let fleet: FleetServer
  let admin: Auth

  beforeAll(async () => {
    dashboard = await startUpdateDashboard('dashboard-updates')
    fleet = dashboard.fleet
    admin = await testUser(fleet, 'it-admin', 'admin')
    await testUser(fleet, 'police-it', 'department', { departments: ['public-security'] })
  })
  afterAll(() => dashboard?.stop())

  it('lists artifacts, shows one with compatibility, and a department user approves it for its department', async () => {
    const id = await pushApp(fleet, admin, '1.1.0', ['id', 'comprehensive'])
    await pushApp(fleet, admin, '1.0.9', [])
    const page = await dashboard.openAs('police-it', 'police-it-password-123')
    await page.click('#nav a[data-route=artifacts]')
    const row = page.locator(`tr[data-artifact-id="${id}"]`)
    await row.waitFor()
    expect(await row.textContent()).toMatch(/终端程序.*1\.1\.0.*可发布/)
    expect(await page.locator('table.artifacts tbody tr').count()).toBe(2)
    await screenshot(page, 'dashboard-artifacts')
    expect(await seriousA11yViolations(page)).toEqual([])

    await row.locator('a').first().click()
    await page.locator(`.artifact-page[data-artifact-id="${id}"]`).waitFor()
    expect(await page.locator('.compatibility').textContent()).toMatch(/身份证一体机、综合政务一体机.*1\.0\.0/s)
    await page.locator('.approvals', { hasText: '尚无部门审批' }).waitFor()
    // A department user approves only for its own department.
    expect(await page.locator('button.approve').count()).toBe(1)
    await screenshot(page, 'dashboard-artifact')
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.click('button.approve[data-department="public-security"]')
    await page.locator('.approvals li[data-department="public-security"]', { hasText: 'police-it' }).waitFor()
    expect(await page.locator('button.approve').count()).toBe(0)
    await screenshot(page, 'dashboard-artifact-approved')
    expect(await seriousA11yViolations(page)).toEqual([])

    await page.click('#lang')
    await page.locator('.approvals h2', { hasText: 'Department approvals' }).waitFor()
    expect(await page.locator('.compatibility').textContent()).toContain('ID-card machine')
    await screenshot(page, 'dashboard-artifact-english')
    await page.evaluate(() => localStorage.removeItem('lang'))
    await page.close()

    // The admin sees the approval in the list and may revoke.
    const adminPage = await dashboard.openAs('admin', TEST_ADMIN_PASSWORD)
    await adminPage.goto(`${fleet.httpUrl}/#/artifacts`)
    await adminPage.locator(`tr[data-artifact-id="${id}"]`, { hasText: '公安' }).waitFor()
    await adminPage.close()
  })

  it('shows a rollout approved and started from its page, with progress and kiosk states changing live', async () => {
    const artifact = await pushApp(fleet, admin, '2.0.0', ['id'])
    const police = await testUser(fleet, 'police-lead', 'department', { departments: ['public-security'] })
    await call(fleet, police, 'POST', `/api/artifacts/${artifact}/approvals`, { department: 'public-security' })
    const credentials = new KioskCredentials(fleet.db)
    for (let i = 1; i <= 3; i++) {
      const kioskId = `dash-ro-${i}`
      const password = `${kioskId}-mqtt-password`
      await credentials.issue(kioskId, { password })
      const kiosk = new SimKiosk(fleet.mqttUrl, kioskId, { appVersion: '1.0.0' }, 'waitForWindow', {
        username: kioskId,
        password,
      })
      await kiosk.connect()
      dashboard.kiosks.push(kiosk)
    }
    await waitFor('three kiosks online', async () => {
      const rows = await fleet.db.query<{ id: string }>(`SELECT id FROM kiosks WHERE state = 'online'`)
      return rows.length === 3
    })
    const rollout = await call<{ id: string }>(fleet, admin, 'POST', '/api/rollouts', {
      name: '终端程序 2.0.0 分批升级',
      artifactId: artifact,
      filter: { departments: ['public-security'] },
      groups: [{ count: 1 }, { percent: 100 }],
      successThreshold: 1,
      errorThreshold: 0.5,
      errorMinSample: 2,
      installMode: 'window',
      kioskTimeoutMs: 3_600_000,
      continuous: false,
    })

    // A department user who did not create it approves and starts it from the page.
    const page = await dashboard.openAs('police-it', 'police-it-password-123')
    await page.click('#nav a[data-route=rollouts]')
    await page.locator(`tr[data-rollout-id="${rollout.id}"]`, { hasText: '待审批' }).waitFor()
    await screenshot(page, 'dashboard-rollouts')
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.locator(`tr[data-rollout-id="${rollout.id}"] a`).first().click()
    await page.locator(`.rollout-page[data-status="awaitingApproval"]`).waitFor()
    await page.click('button.rollout-action[data-action="approve"]')
    await page.locator(`.rollout-page[data-status="approved"]`).waitFor()
    await page.click('button.rollout-action[data-action="start"]')
    await page.locator(`.rollout-page[data-status="running"]`).waitFor()

    // The first group's kiosk downloads and waits for its maintenance window: shown with the reason.
    const waiting = page.locator('tr[data-state="downloaded"]', { hasText: '不在维护时段' })
    await waiting.waitFor()
    const first = (await waiting.getAttribute('data-kiosk-id')) as string
    await screenshot(page, 'dashboard-rollout-waiting')
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(await page.locator('li[data-group="0"] [role=progressbar]').getAttribute('aria-valuenow')).toBe('0')

    // No reload from here on: the page must change by itself.
    await page.evaluate(() => {
      ;(window as unknown as { stayed: boolean }).stayed = true
    })
    await dashboard.kiosks.find((k) => k.kioskId === first)?.windowOpens()
    await page.locator(`tr[data-kiosk-id="${first}"][data-state="succeeded"]`).waitFor()
    await page.locator('li[data-group="0"] [role=progressbar][aria-valuenow="100"]').waitFor()
    // The second group follows: its kiosks are notified and wait for their window too.
    await page.locator('li[data-group="1"].current').waitFor()
    await expect.poll(() => page.locator('tr[data-state="downloaded"]').count(), { timeout: 30_000 }).toBe(2)
    for (const k of dashboard.kiosks) await k.windowOpens()
    await page.locator('.rollout-page[data-status="completed"]').waitFor()
    await page.locator('li[data-group="1"] [role=progressbar][aria-valuenow="100"]').waitFor()
    // The bar is drawn, not only announced: the CSP once dropped its width (a style attribute).
    const width = (selector: string) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().width)
    const track = await width('li[data-group="1"] [role=progressbar]')
    await expect.poll(() => width('li[data-group="1"] .seg.ok')).toBeGreaterThan(0.9 * track)
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
    expect(await page.locator('button.rollout-action').count()).toBe(0)
    await screenshot(page, 'dashboard-rollout-completed')
    expect(await seriousA11yViolations(page)).toEqual([])

    await page.click('#lang')
    await page.locator('.rollout-page h2.title', { hasText: 'Completed' }).waitFor()
    await screenshot(page, 'dashboard-rollout-english')
    await page.close()
  })
})

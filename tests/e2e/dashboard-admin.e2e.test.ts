/**
 * The dashboard's admin screens in Debian's Chromium against a real fleet-server with its update
 * repository: users (create with a refused mistyped department, disable taking effect at once, a
 * one-time password the user must replace), the audit log (search, paging total, export of what
 * was searched), an artifact uploaded through the resumable API, and a rollout created after its
 * preview.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type FleetServer, KioskCredentials } from '@fleet/server'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testAppReleaseOfSize } from '../support/artifact-bytes.ts'
import { screenshot, seriousA11yViolations } from '../support/browser.ts'
import { startUpdateDashboard, type UpdateDashboard } from '../support/dashboard-page.ts'
import { TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { SimKiosk } from '../support/rollout-sim.ts'
import { testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

describe('dashboard admin screens in Chromium', () => {
  let dashboard: UpdateDashboard
  let fleet: FleetServer
  let admin: Page
  // Users are never deleted, only disabled: a retried attempt creates its own, and the audit search
  // below looks for the last attempt's (their ids end in `-a<attempt>`).
  let attempt = 0
  const ids = () => ({ tax: `tax-lead-a${attempt}`, police: `police-lead-a${attempt}` })

  beforeAll(async () => {
    dashboard = await startUpdateDashboard('dashboard-admin')
    fleet = dashboard.fleet
    admin = await dashboard.openAs('admin', TEST_ADMIN_PASSWORD)
  })
  afterAll(() => dashboard?.stop())

  it('creates users (a mistyped department refused), disables one at once and resets a password to a one-time one', async () => {
    attempt += 1
    const { tax, police } = ids()
    await admin.click('#nav a[data-route=users]')
    await admin.locator('tr[data-user-id="admin"]').waitFor()
    const create = async (id: string, departments: string) => {
      const form = admin.locator('form.user-create')
      await form.locator('input[name=id]').fill(id)
      await form.locator('input[name=displayName]').fill(`${id} 名字`)
      await form.locator('input[name=password]').fill(`${id}-password-123`)
      await form.locator('select[name=role]').selectOption('department')
      await form.locator('input[name=departments]').fill(departments)
      await form.locator('button[type=submit]').click()
    }
    await create(tax, 'taxx')
    await admin.locator('.users-page .action-result', { hasText: 'ERR_FLEET_UNKNOWN_DEPARTMENT' }).waitFor()
    expect(await admin.locator('.users-page .action-result').textContent()).toContain('"taxx"')
    await create(tax, 'tax')
    await admin.locator(`tr[data-user-id="${tax}"] td.scope`, { hasText: 'tax' }).waitFor()
    await create(police, 'public-security')
    await admin.locator(`tr[data-user-id="${police}"]`).waitFor()
    // No disable button for oneself.
    expect(await admin.locator('tr[data-user-id="admin"] button.disable').count()).toBe(0)
    await screenshot(admin, 'dashboard-users')
    expect(await seriousA11yViolations(admin)).toEqual([])

    // tax-lead is working in the dashboard; disabling them stops their session on its next request.
    const taxPage = await dashboard.openAs(tax, `${tax}-password-123`)
    admin.once('dialog', (dialog) => dialog.accept())
    await admin.click(`tr[data-user-id="${tax}"] button.disable`)
    await admin.locator(`tr[data-user-id="${tax}"][data-disabled="true"]`).waitFor()
    // The alerts screen reads from the API with the old session cookie: refused, so the login shows.
    // The page's own live requests may have shown it already and hidden the menu, so the screen is
    // opened by its address rather than by a click on a menu that may be gone.
    await taxPage.evaluate(() => {
      location.hash = '#/alerts'
    })
    await taxPage.locator('#login').waitFor({ state: 'visible' })
    await taxPage.close()

    // Reset: a one-time password shown once; the user must choose their own before anything else.
    admin.once('dialog', (dialog) => dialog.accept())
    await admin.click(`tr[data-user-id="${police}"] button.reset`)
    const oneTime = (await admin.locator('code.one-time').textContent()) as string
    expect(oneTime.length).toBeGreaterThanOrEqual(12)
    await screenshot(admin, 'dashboard-users-reset')
    const policePage = await dashboard.openAs(police, oneTime)
    await policePage.locator('form.password-change').waitFor()
    expect(await policePage.locator('#nav').isVisible()).toBe(false)
    await screenshot(policePage, 'dashboard-password-change')
    await policePage.fill('form.password-change input[name=currentPassword]', oneTime)
    await policePage.fill('form.password-change input[name=newPassword]', 'police lead own password')
    await policePage.click('form.password-change button[type=submit]')
    await policePage.locator('#nav').waitFor({ state: 'visible' })
    // A department user sees neither users nor the audit log.
    expect(await policePage.locator('#nav a[data-route=users]').isVisible()).toBe(false)
    expect(await policePage.locator('#nav a[data-route=audit]').isVisible()).toBe(false)
    await policePage.close()
  })

  it('searches the audit log with a true total and exports exactly what was searched', async () => {
    await admin.click('#nav a[data-route=audit]')
    await admin.locator('table.audit tbody tr').first().waitFor()
    const form = admin.locator('form.audit-search')
    await form.locator('input[name=actor]').fill('admin')
    await form.locator('input[name=action]').fill('user.*')
    await form.locator('input[name=q]').fill(`-a${attempt}`)
    await form.locator('button[type=submit]').click()
    // Created twice (one refused before reaching the handler is not a write), disabled once, reset once.
    await admin.locator('.pager .range', { hasText: '共 4 条' }).waitFor()
    const actions = await admin.locator('table.audit tbody tr td:nth-child(4)').allTextContents()
    expect(actions.sort()).toEqual(['user.create', 'user.create', 'user.disable', 'user.password.reset'])
    await screenshot(admin, 'dashboard-audit')
    expect(await seriousA11yViolations(admin)).toEqual([])

    const href = (await admin.locator('a.export', { hasText: 'CSV' }).getAttribute('href')) as string
    expect(href).toContain('actor=admin')
    const csv = await (await admin.request.get(`${fleet.httpUrl}${href}`)).text()
    const lines = csv.trim().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'admin')).toBe(true)
    // Free text reaches into details: the reset's target.
    await form.locator('input[name=actor]').fill('')
    await form.locator('input[name=action]').fill('')
    await form.locator('input[name=q]').fill(ids().police.toUpperCase())
    await form.locator('button[type=submit]').click()
    await admin
      .locator('table.audit tbody tr[data-outcome="ok"] td:nth-child(5)', { hasText: ids().police })
      .first()
      .waitFor()
  })

  it('uploads an app release in chunks and creates a rollout after previewing its selection', async () => {
    const bytes = testAppReleaseOfSize('3.0.0', 9 * 1024 * 1024)
    const file = join(dashboard.work, 'kiosk-app-3.0.0.tar.gz')
    writeFileSync(file, bytes)
    await admin.click('#nav a[data-route=artifacts]')
    await admin.click('a.button.upload')
    const upload = admin.locator('form.upload-form')
    await upload.locator('select[name=kind]').selectOption('app')
    await upload.locator('input[name=version]').fill('3.0.0')
    await upload.locator('input[name=machineTypes][value=id]').check()
    await upload.locator('input[name=minAppVersion]').fill('1.0.0')
    await upload.locator('textarea[name=notes]').fill('修复凭条打印乱码')
    await upload.locator('input[name=file]').setInputFiles(file)
    await screenshot(admin, 'dashboard-upload')
    expect(await seriousA11yViolations(admin)).toEqual([])
    const patches: string[] = []
    admin.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().includes('/api/uploads/')) patches.push(r.headers()['upload-offset'] ?? '')
    })
    await upload.locator('button[type=submit]').click()
    const artifactPage = admin.locator('.artifact-page[data-status="ready"]')
    await artifactPage.waitFor()
    const artifactId = (await artifactPage.getAttribute('data-artifact-id')) as string
    const [stored] = await fleet.db.query<{ length: string; status: string }>(
      'SELECT length::text, status FROM artifacts WHERE id = $1',
      [artifactId],
    )
    expect(stored).toEqual({ length: String(bytes.length), status: 'ready' })
    // The 9 MiB went as three PATCHes of at most 4 MiB, each at the offset the last one reached.
    expect(patches).toEqual(['0', String(4 * 1024 * 1024), String(8 * 1024 * 1024)])
    await screenshot(admin, 'dashboard-uploaded')

    const police = await testUser(fleet, 'police-approver', 'department', { departments: ['public-security'] })
    const approve = await fetch(`${fleet.httpUrl}/api/artifacts/${artifactId}/approvals`, {
      method: 'POST',
      headers: { ...police, 'content-type': 'application/json' },
      body: JSON.stringify({ department: 'public-security' }),
    })
    expect(approve.status).toBe(200)
    const credentials = new KioskCredentials(fleet.db)
    for (const [kioskId, machineType] of [
      ['admin-ro-1', 'id'],
      ['admin-ro-2', 'id'],
      ['admin-ro-3', 'tax'],
    ] as const) {
      const password = `${kioskId}-mqtt-password`
      await credentials.issue(kioskId, { password })
      const kiosk = new SimKiosk(fleet.mqttUrl, kioskId, { appVersion: '1.0.0', machineType }, 'waitForWindow', {
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

    await admin.click('#nav a[data-route=rollouts]')
    await admin.click('a.button.new-rollout')
    const form = admin.locator('form.rollout-form')
    await form.locator('input[name=name]').fill('终端程序 3.0.0 分批升级')
    await form.locator('select[name=artifactId]').selectOption(artifactId)
    await form.locator('input[name=departments]').fill('public-security')
    await form.locator('input[name=groups]').fill('1, 100%')
    expect(await admin.locator('button.create').isDisabled()).toBe(true)
    await admin.click('button.preview')
    await admin.locator('.rollout-preview p.selected, .rollout-new-page .action-result:not(:empty)').first().waitFor()
    expect(await admin.locator('.rollout-new-page .action-result').textContent()).toBe('')
    // Two ID machines selected; the tax machine (of the same department) is incompatible with an ID-machine release.
    await admin.locator('.rollout-preview p.selected[data-selected="2"]').waitFor()
    expect(await admin.locator('.rollout-preview ol.groups li').allTextContents()).toEqual([
      '第 1 批：1 台',
      '第 2 批：1 台',
    ])
    // Every left-out kiosk is named with why: what it has against what the artifact needs.
    expect(await admin.locator('.rollout-preview ul.excluded li[data-reason="incompatible"]').textContent()).toBe(
      '不兼容 1 台',
    )
    const leftOut = admin.locator('.rollout-preview table.left-out tbody tr')
    expect(await leftOut.count()).toBe(1)
    expect(await leftOut.getAttribute('data-kiosk-id')).toBe('admin-ro-3')
    expect(await leftOut.getAttribute('data-reason')).toBe('machineTypeMismatch')
    expect(await leftOut.locator('td').allTextContents()).toEqual(['机型不符', '机型 tax；适用于：id'])
    await screenshot(admin, 'dashboard-rollout-preview')
    expect(await seriousA11yViolations(admin)).toEqual([])
    await admin.setViewportSize({ width: 430, height: 932 })
    await screenshot(admin, 'dashboard-rollout-preview-portrait')
    await admin.setViewportSize({ width: 1280, height: 900 })

    // A change after the preview must be previewed again before creating.
    await form.locator('input[name=departments]').fill('public-securty')
    await admin.locator('.rollout-preview', { hasText: '请重新预览' }).waitFor()
    expect(await admin.locator('button.create').isDisabled()).toBe(true)
    await admin.click('button.preview')
    await admin.locator('.rollout-new-page .action-result', { hasText: 'ERR_FLEET_UNKNOWN_DEPARTMENT' }).waitFor()
    await form.locator('input[name=departments]').fill('public-security')
    await admin.click('button.preview')
    await admin.locator('.rollout-preview p.selected[data-selected="2"]').waitFor()
    await admin.click('button.create')
    const rolloutPage = admin.locator('.rollout-page[data-status="awaitingApproval"]')
    await rolloutPage.waitFor()
    await screenshot(admin, 'dashboard-rollout-created')
    const [rollout] = await fleet.db.query<{ name: string; created_by: string }>(
      'SELECT name, created_by FROM rollouts',
    )
    expect(rollout).toEqual({ name: '终端程序 3.0.0 分批升级', created_by: 'admin' })
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KioskCredentials } from '../broker/kiosk-credentials.ts'
import { createRouteTestApp, METRICS_TOKEN, PASSWORD, type RouteTestApp, USERS } from '../route-test-app.ts'
import { PERMISSIONS, ROLES, type Role } from './roles.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp()
})
afterAll(async () => t.close())

interface RouteCase {
  method: 'GET' | 'POST'
  url: string
  payload?: Record<string, unknown>
  allowed: readonly Role[]
}

/** Every API route, with the roles allowed to call it. Public routes are tested separately below. */
const ROUTES: RouteCase[] = [
  { method: 'GET', url: '/api/me', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/kiosks', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/kiosks/kiosk-a', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/kiosks/kiosk-a/health', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/kiosks/kiosk-a/events', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/sites', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/sites/tree', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/map', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/overview', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/services', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/services/id-progress/kiosks', allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/device-models/health', allowed: PERMISSIONS.readFleet },
  { method: 'POST', url: '/api/kiosks/kiosk-a/commands/ping', allowed: PERMISSIONS.commandKiosks },
  // A screen is seen by IT staff only (kiosk-b: the site user's); the POST stores the picture the GETs read.
  { method: 'POST', url: '/api/kiosks/kiosk-b/commands/screenshot', allowed: PERMISSIONS.captureScreen },
  { method: 'GET', url: '/api/kiosks/kiosk-b/screenshot', allowed: PERMISSIONS.captureScreen },
  { method: 'GET', url: '/api/kiosks/kiosk-b/screenshot/image', allowed: PERMISSIONS.captureScreen },
  { method: 'POST', url: '/api/tokens', payload: { name: 'cli' }, allowed: PERMISSIONS.readFleet },
  { method: 'GET', url: '/api/users', allowed: PERMISSIONS.manageUsers },
  {
    method: 'POST',
    url: '/api/users',
    payload: { id: 'new-user', displayName: 'N', password: 'a long enough password', role: 'auditor' },
    allowed: PERMISSIONS.manageUsers,
  },
  { method: 'GET', url: '/api/audit', allowed: PERMISSIONS.readAudit },
  { method: 'GET', url: '/api/audit/verify', allowed: PERMISSIONS.readAudit },
  { method: 'GET', url: '/api/audit/export?format=csv', allowed: PERMISSIONS.readAudit },
  { method: 'GET', url: '/api/ingest/stats', allowed: PERMISSIONS.operate },
  { method: 'POST', url: '/api/kiosks/kiosk-a/enrolment', allowed: PERMISSIONS.manageKiosks },
  { method: 'GET', url: '/api/alerts', allowed: PERMISSIONS.readFleet },
  { method: 'POST', url: '/api/alerts/1/ack', allowed: PERMISSIONS.manageAlerts },
  { method: 'POST', url: '/api/alerts/1/assign', payload: { userId: 'dora' }, allowed: PERMISSIONS.manageAlerts },
]

/** Roles whose scope does not include kiosk-a get 404 (its existence is not revealed), not 403. */
const OUT_OF_SCOPE: Partial<Record<string, Role[]>> = {
  '/api/kiosks/kiosk-a': ['site'],
  '/api/kiosks/kiosk-a/health': ['site'],
  '/api/kiosks/kiosk-a/events': ['site'],
  '/api/kiosks/kiosk-a/commands/ping': ['site'],
  '/api/alerts/1/ack': ['site'],
  '/api/alerts/1/assign': ['site'],
}

describe('every route for every role', () => {
  const cases = ROUTES.flatMap((route) => ROLES.map((role) => ({ ...route, role })))
  it.each(cases)('$method $url as $role', async ({ method, url, payload, allowed, role }) => {
    const response = await t.app.inject({
      method,
      url,
      headers: { cookie: t.cookies[role] },
      ...(payload === undefined
        ? {}
        : { payload: { ...payload, ...(payload.id ? { id: `${payload.id}-${role}` } : {}) } }),
    })
    if (!allowed.includes(role)) {
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ code: 'ERR_FLEET_FORBIDDEN' })
    } else if (OUT_OF_SCOPE[url]?.includes(role)) {
      expect(response.statusCode).toBe(404)
    } else {
      expect(response.statusCode).toBeLessThan(300)
    }
  })

  it.each(ROUTES)('$method $url without credentials is 401', async ({ method, url, payload }) => {
    const response = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })
    expect(response.statusCode).toBe(401)
    expect(response.json()).toMatchObject({ code: 'ERR_FLEET_UNAUTHENTICATED' })
  })

  it('keeps health, docs, login and the dashboard public', async () => {
    for (const url of ['/healthz', '/readyz', '/docs/json', '/']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200)
    }
  })

  it('serves /metrics to the scrape token and admins only', async () => {
    const status = async (headers: Record<string, string>) =>
      (await t.app.inject({ url: '/metrics', headers })).statusCode
    expect(await status({})).toBe(401)
    expect(await status({ authorization: 'Bearer not-the-scrape-token' })).toBe(401)
    expect(await status({ authorization: `Bearer ${METRICS_TOKEN}` })).toBe(200)
    expect(await status({ cookie: t.cookies.admin })).toBe(200)
    expect(await status({ cookie: t.cookies.auditor })).toBe(401)
  })
})

describe('scopes', () => {
  const ids = async (role: Role) =>
    (await t.app.inject({ url: '/api/kiosks', headers: { cookie: t.cookies[role] } })).json().kiosks as {
      id: string
      peripherals: { vendor: string }[]
    }[]

  it('limits each role to its departments, sites or device vendors', async () => {
    expect((await ids('admin')).map((k) => k.id)).toEqual(['kiosk-a', 'kiosk-b'])
    expect((await ids('auditor')).map((k) => k.id)).toEqual(['kiosk-a', 'kiosk-b'])
    expect((await ids('department')).map((k) => k.id)).toEqual(['kiosk-a'])
    expect((await ids('site')).map((k) => k.id)).toEqual(['kiosk-b'])
    const vendor = await ids('vendor')
    expect(vendor.map((k) => k.id)).toEqual(['kiosk-a'])
    expect(vendor[0]?.peripherals.map((p) => p.vendor)).toEqual(['Epson'])
  })

  it('does not let a department command a kiosk outside its scope', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/kiosks/kiosk-b/commands/ping',
      headers: { cookie: t.cookies.department },
    })
    expect(response.statusCode).toBe(404)
  })

  it('shows alerts within scope: a vendor only its own devices, a site user none of another site', async () => {
    const alerts = async (role: Role) =>
      (
        (await t.app.inject({ url: '/api/alerts', headers: { cookie: t.cookies[role] } })).json().alerts as {
          rule: string
          deviceId: string
        }[]
      ).map((a) => `${a.rule}:${a.deviceId}`)
    expect(await alerts('admin')).toEqual(['paperLow:receipt'])
    expect(await alerts('vendor')).toEqual(['paperLow:receipt'])
    expect(await alerts('site')).toEqual([])
  })

  it('shows a site user only its sites', async () => {
    const sites = (await t.app.inject({ url: '/api/sites', headers: { cookie: t.cookies.site } })).json().sites
    expect(sites.map((s: { id: string }) => s.id)).toEqual(['site-b'])
  })
})

describe('sessions and tokens', () => {
  it('refuses a wrong password, audits it, and reveals nothing about the user', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'ada', password: 'nope' },
    })
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'zed', password: 'nope' },
    })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.json()).toEqual(wrong.json())
    expect((await t.audit.list({ limit: 1, action: 'login', actor: 'zed' }))[0]?.outcome).toBe('denied')
  })

  it('accepts an API token as a Bearer credential, and ends a session on logout', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'fleetctl' },
      headers: { cookie: t.cookies.auditor },
    })
    const { token } = created.json() as { token: string }
    const me = await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } })
    expect(me.json().user).toMatchObject({ userId: USERS.auditor.id, role: 'auditor' })
    const [stored] = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens LIMIT 1')
    expect(stored?.token_hash).not.toContain(token)

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'aud', password: PASSWORD },
    })
    const cookie = `fleet_session=${login.cookies.find((c) => c.name === 'fleet_session')?.value}`
    expect(login.cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    await t.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } })
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401)
  })

  it('stores passwords as argon2id hashes only', async () => {
    const rows = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users')
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^\$argon2id\$/)
      expect(row.password_hash).not.toContain(PASSWORD)
    }
  })
})

describe('audit log', () => {
  it('chains every write and detects tampering', async () => {
    expect(
      (await t.app.inject({ url: '/api/audit/verify', headers: { cookie: t.cookies.auditor } })).json(),
    ).toMatchObject({
      ok: true,
    })
    await expect(t.db.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only/)
    await expect(t.db.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/)

    // A database superuser can still switch the trigger off: the chain shows the edit.
    await t.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change')
    await t.db.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    await t.db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change')
    expect(await t.audit.verify()).toMatchObject({ ok: false, brokenAt: 2, reason: 'content does not match its hash' })
  })

  it('exports the log as CSV for auditors', async () => {
    const response = await t.app.inject({ url: '/api/audit/export?format=csv', headers: { cookie: t.cookies.auditor } })
    expect(response.headers['content-type']).toContain('text/csv')
    const [header, first] = response.body.split('\n')
    expect(header).toBe('seq,ts,actor,role,ip,action,target,outcome,details,prevHash,hash')
    expect(first).toMatch(/^1,/)
  })
})

describe('kiosk enrolment', () => {
  const createToken = async (kioskId: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/kiosks/${kioskId}/enrolment`,
      headers: { cookie: t.cookies.admin },
    })
    expect(response.statusCode).toBe(201)
    return (response.json() as { token: string }).token
  }
  const enrol = (kioskId: string, token: string) =>
    t.app.inject({ method: 'POST', url: '/api/enrol', payload: { kioskId, token } })
  const lastEnrol = async (kioskId: string) =>
    (await t.audit.list({ limit: 1, action: 'kiosk.enrol', actor: `kiosk:${kioskId}` }))[0]

  it('trades a one-time token for MQTT credentials once, storing only hashes, and audits every try', async () => {
    const token = await createToken('enrol-1')
    expect(token).toMatch(/^fleet_enr_/)
    const [row] = await t.db.query<{ token_hash: string; created_by: string }>(
      "SELECT token_hash, created_by FROM enrolment_tokens WHERE kiosk_id = 'enrol-1'",
    )
    expect(row?.token_hash).not.toContain(token)
    expect(row?.created_by).toBe(USERS.admin.id)

    const wrong = await enrol('enrol-1', `${token}x`)
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toMatchObject({ code: 'ERR_FLEET_ENROLMENT_REFUSED' })
    expect(await lastEnrol('enrol-1')).toMatchObject({ outcome: 'denied', details: { reason: 'unknownToken' } })
    expect((await enrol('enrol-2', token)).statusCode).toBe(401)

    const ok = await enrol('enrol-1', token)
    expect(ok.statusCode).toBe(200)
    const { mqtt } = ok.json() as { mqtt: { username: string; password: string } }
    expect(mqtt.username).toBe('enrol-1')
    expect(mqtt.password.length).toBeGreaterThanOrEqual(43)
    expect(await lastEnrol('enrol-1')).toMatchObject({ outcome: 'ok' })
    const [stored] = await t.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM kiosk_credentials WHERE kiosk_id = 'enrol-1'",
    )
    expect(stored?.password_hash).toMatch(/^\$7\$/)
    expect(stored?.password_hash).not.toContain(mqtt.password)
    const credentials = new KioskCredentials(t.db)
    expect(await credentials.verify('enrol-1', mqtt.password)).toBe(true)
    expect(await credentials.verify('enrol-1', `${mqtt.password}x`)).toBe(false)

    const reused = await enrol('enrol-1', token)
    expect(reused.statusCode).toBe(401)
    expect(await lastEnrol('enrol-1')).toMatchObject({ outcome: 'denied', details: { reason: 'used' } })
    expect(await credentials.verify('enrol-1', mqtt.password)).toBe(true)
  })

  it('refuses an expired token and one replaced by a newer token', async () => {
    const expired = await createToken('enrol-3')
    await t.db.query("UPDATE enrolment_tokens SET expires_at = now() - interval '1 second' WHERE kiosk_id = 'enrol-3'")
    expect((await enrol('enrol-3', expired)).statusCode).toBe(401)
    expect(await lastEnrol('enrol-3')).toMatchObject({ outcome: 'denied', details: { reason: 'expired' } })

    const first = await createToken('enrol-4')
    const second = await createToken('enrol-4')
    expect((await enrol('enrol-4', first)).statusCode).toBe(401)
    expect((await enrol('enrol-4', second)).statusCode).toBe(200)
  })

  it('validates the kiosk id as a single topic segment', async () => {
    for (const kioskId of ['a/b', '+', '#', '$sys']) {
      expect((await enrol(kioskId, 'fleet_enr_x')).statusCode).toBe(400)
    }
  })
})

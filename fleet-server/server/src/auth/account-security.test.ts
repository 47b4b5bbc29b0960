import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, PASSWORD, type RouteTestApp, USERS } from '../route-test-app.ts'
import { loginKey } from './auth-routes.ts'
import { AuthThrottle } from './auth-throttle.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp()
})
afterAll(async () => t.close())

let address = 0
/** Each test logs in from its own client address, so the per-address rate limit of one never hits another. */
const nextAddress = () => `10.0.0.${++address}`

async function createUser(id: string, password = 'first password 123') {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: t.cookies.admin },
    payload: { id, displayName: id, password, role: 'auditor' },
  })
  expect(response.statusCode).toBe(201)
  return password
}

const login = (username: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress })

const cookieOf = (response: Awaited<ReturnType<typeof login>>) =>
  `fleet_session=${response.cookies.find((c) => c.name === 'fleet_session')?.value}`

describe('login lockout', () => {
  it('locks a user name after five wrong passwords; the right one is refused until the lock ends', async () => {
    const password = await createUser('lock-me')
    const ip = nextAddress()
    for (let i = 0; i < 5; i++) expect((await login('lock-me', 'wrong password', ip)).statusCode).toBe(401)
    // The sixth failure starts a 30 s lock.
    expect((await login('lock-me', 'wrong password', ip)).statusCode).toBe(401)
    const locked = await login('lock-me', password, ip)
    expect(locked.statusCode).toBe(429)
    expect(locked.json()).toMatchObject({ code: 'ERR_FLEET_LOCKED_OUT' })
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(25)
    // From another address too: the lock is on the name, kept in the database (every replica, every restart).
    expect((await login('lock-me', password, nextAddress())).statusCode).toBe(429)
    expect(await new AuthThrottle(t.db).state(loginKey('lock-me'))).toMatchObject({ locked: true })

    const [denied] = await t.audit.list({ limit: 1, action: 'login', actor: 'lock-me' })
    expect(denied).toMatchObject({ outcome: 'denied', details: { reason: 'locked' } })
    const [started] = (await t.audit.list({ limit: 10, action: 'login', actor: 'lock-me' })).filter(
      (e) => e.details.lockedForS !== undefined,
    )
    expect(started?.details).toMatchObject({ failures: 6, lockedForS: 30 })

    // The lock runs out: the right password works again and clears the count.
    await t.db.query("UPDATE auth_throttle SET locked_until = now() - interval '1 second' WHERE key = $1", [
      loginKey('lock-me'),
    ])
    expect((await login('lock-me', password, ip)).statusCode).toBe(200)
    expect(await t.db.query('SELECT * FROM auth_throttle WHERE key = $1', [loginKey('lock-me')])).toEqual([])
  })

  it('doubles the lock with each further failure, and an admin can lift it', async () => {
    await createUser('lock-twice')
    const ip = nextAddress()
    for (let i = 0; i < 6; i++) await login('lock-twice', 'wrong password', ip)
    await t.db.query("UPDATE auth_throttle SET locked_until = now() - interval '1 second' WHERE key = $1", [
      loginKey('lock-twice'),
    ])
    await login('lock-twice', 'wrong password', ip)
    const retryAfter = Number((await login('lock-twice', 'wrong password', ip)).headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(55)
    expect(retryAfter).toBeLessThanOrEqual(60)

    const unlock = await t.app.inject({
      method: 'POST',
      url: '/api/users/lock-twice/unlock',
      headers: { cookie: t.cookies.admin },
    })
    expect(unlock.json()).toEqual({ status: 'ok', wasLocked: true })
    expect((await login('lock-twice', 'first password 123', ip)).statusCode).toBe(200)
  })

  it('treats unknown names the same, so the answers reveal no user names', async () => {
    const ip = nextAddress()
    const answers = []
    for (let i = 0; i < 7; i++) answers.push((await login('nobody-here', 'wrong password', ip)).statusCode)
    expect(answers).toEqual([401, 401, 401, 401, 401, 401, 429])
  })

  it('rate-limits one address across user names, audited once a window', async () => {
    const ip = nextAddress()
    const statuses: number[] = []
    for (let i = 0; i < 22; i++) statuses.push((await login(`spray-${i}`, 'wrong password', ip)).statusCode)
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(20)).toEqual([429, 429])
    const limited = await login('spray-x', 'wrong password', ip)
    expect(limited.json()).toMatchObject({ code: 'ERR_FLEET_RATE_LIMITED' })
    expect(limited.headers['retry-after']).toBeDefined()
    const entries = (await t.audit.list({ limit: 50, action: 'login' })).filter(
      (e) => e.ip === ip && e.details.reason === 'rateLimited',
    )
    expect(entries).toHaveLength(1)
    // Another address is not held up.
    expect((await login(USERS.auditor.id, PASSWORD, nextAddress())).statusCode).toBe(200)
  })
})

describe('account care', () => {
  it('disables a user (sessions and tokens stop) and enables them again', async () => {
    const password = await createUser('leaver')
    const session = cookieOf(await login('leaver', password, nextAddress()))
    const token = (
      await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: session }, payload: { name: 'cli' } })
    ).json().token as string
    const disable = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/leaver',
      headers: { cookie: t.cookies.admin },
      payload: { disabled: true },
    })
    expect(disable.json()).toMatchObject({ status: 'ok', user: { userId: 'leaver', disabled: true } })
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: session } })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401)
    expect((await login('leaver', password, nextAddress())).statusCode).toBe(401)
    expect((await t.audit.list({ limit: 1, action: 'user.disable' }))[0]).toMatchObject({ target: 'leaver' })

    await t.app.inject({
      method: 'PATCH',
      url: '/api/users/leaver',
      headers: { cookie: t.cookies.admin },
      payload: { disabled: false },
    })
    expect((await login('leaver', password, nextAddress())).statusCode).toBe(200)
  })

  it('refuses to disable the last enabled admin, and answers 404 for an unknown user', async () => {
    const last = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${USERS.admin.id}`,
      headers: { cookie: t.cookies.admin },
      payload: { disabled: true },
    })
    expect(last.statusCode).toBe(409)
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/no-such-user',
      headers: { cookie: t.cookies.admin },
      payload: { disabled: true },
    })
    expect(missing.json()).toMatchObject({ code: 'ERR_FLEET_USER_NOT_FOUND' })
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/users/no-such-user',
          headers: { cookie: t.cookies.auditor },
          payload: { disabled: true },
        })
      ).statusCode,
    ).toBe(403)
  })

  it('changes your own password: the current one is checked, other sessions end, no password in the audit', async () => {
    const password = await createUser('changer')
    const mine = cookieOf(await login('changer', password, nextAddress()))
    const other = cookieOf(await login('changer', password, nextAddress()))
    const change = (currentPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/me/password',
        headers: { cookie: mine },
        payload: { currentPassword, newPassword: 'second password 456' },
      })
    expect((await change('not my password')).statusCode).toBe(401)
    expect((await change(password)).json()).toEqual({ status: 'ok' })
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: mine } })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: other } })).statusCode).toBe(401)
    expect((await login('changer', password, nextAddress())).statusCode).toBe(401)
    expect((await login('changer', 'second password 456', nextAddress())).statusCode).toBe(200)

    const set = await t.app.inject({
      method: 'POST',
      url: '/api/users/changer/password',
      headers: { cookie: t.cookies.admin },
      payload: { password: 'third password 789' },
    })
    expect(set.json()).toEqual({ status: 'ok' })
    const trail = JSON.stringify(await t.audit.list({ limit: 200 }))
    for (const secret of [password, 'second password 456', 'third password 789']) expect(trail).not.toContain(secret)
  })
})

describe('security headers', () => {
  it('sends CSP with frame-ancestors none, nosniff and frame denial on the dashboard and the API', async () => {
    for (const url of ['/', '/api/me', '/healthz']) {
      const response = await t.app.inject({ url, headers: { cookie: t.cookies.admin } })
      const csp = String(response.headers['content-security-policy'])
      expect(csp, url).toContain("frame-ancestors 'none'")
      expect(csp, url).toContain("script-src 'self'")
      expect(response.headers['x-content-type-options'], url).toBe('nosniff')
      expect(response.headers['x-frame-options'], url).toBe('DENY')
    }
  })
})

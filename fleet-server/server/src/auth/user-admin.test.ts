import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, PASSWORD, type RouteTestApp, USERS } from '../route-test-app.ts'
import { IdentityRepo } from './identity-repo.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp()
})
afterAll(async () => t.close())

let address = 0
const nextAddress = () => `10.1.0.${++address}`
const admin = () => ({ cookie: t.cookies.admin })

const login = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress: nextAddress() })
const cookieOf = (response: Awaited<ReturnType<typeof login>>) =>
  `fleet_session=${response.cookies.find((c) => c.name === 'fleet_session')?.value}`
const patch = (id: string, payload: Record<string, unknown>, cookie = t.cookies.admin) =>
  t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie }, payload })

async function createUser(id: string, body: Record<string, unknown> = { role: 'auditor' }) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin(),
    payload: { id, displayName: id, password: 'first password 123', ...body },
  })
  expect(response.statusCode, response.body).toBe(201)
  return 'first password 123'
}

describe('users lifecycle', () => {
  it('lists users with their state, changes role and scope, and the new scope holds at the next request', async () => {
    const password = await createUser('shifter', { role: 'department', departments: ['tax'] })
    const session = cookieOf(await login('shifter', password))
    const kioskIds = async () =>
      (
        (await t.app.inject({ url: '/api/kiosks', headers: { cookie: session } })).json().kiosks as { id: string }[]
      ).map((k) => k.id)
    expect(await kioskIds()).toEqual(['kiosk-b'])

    const changed = await patch('shifter', { departments: ['public-security'], displayName: 'Shifter' })
    expect(changed.json()).toMatchObject({
      status: 'ok',
      user: { userId: 'shifter', displayName: 'Shifter', role: 'department', departments: ['public-security'] },
    })
    // The same session, no new login: the scope is read on every request.
    expect(await kioskIds()).toEqual(['kiosk-a'])

    const list = (await t.app.inject({ url: '/api/users', headers: admin() })).json().users as Record<string, unknown>[]
    expect(list.find((u) => u.userId === 'shifter')).toMatchObject({
      role: 'department',
      departments: ['public-security'],
      disabled: false,
      mustChangePassword: false,
    })
    expect(JSON.stringify(list)).not.toContain('argon2')
    const [entry] = await t.audit.list({ limit: 1, action: 'user.update', target: 'shifter' })
    expect(entry).toMatchObject({ actor: USERS.admin.id, outcome: 'ok', details: { departments: ['public-security'] } })
  })

  it('disabling takes effect at once: the open session and API token are refused on the next request', async () => {
    const password = await createUser('gone-now')
    const session = cookieOf(await login('gone-now', password))
    const token = (
      await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: session }, payload: { name: 'cli' } })
    ).json().token as string
    expect((await t.app.inject({ url: '/api/kiosks', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      200,
    )

    expect((await patch('gone-now', { disabled: true })).json()).toMatchObject({ user: { disabled: true } })
    expect((await t.app.inject({ url: '/api/kiosks', headers: { cookie: session } })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/api/kiosks', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      401,
    )
    expect((await login('gone-now', password)).statusCode).toBe(401)
    expect(await t.audit.list({ limit: 1, action: 'user.disable', target: 'gone-now' })).toHaveLength(1)

    expect((await patch('gone-now', { disabled: false })).json()).toMatchObject({ user: { disabled: false } })
    // The token works again (it was never revoked); the session ended for good.
    expect((await t.app.inject({ url: '/api/kiosks', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      200,
    )
    expect((await t.app.inject({ url: '/api/kiosks', headers: { cookie: session } })).statusCode).toBe(401)
    expect(await t.audit.list({ limit: 1, action: 'user.enable', target: 'gone-now' })).toHaveLength(1)
  })

  it('an admin cannot disable or demote themselves; the last enabled admin stays an enabled admin', async () => {
    const self = await patch(USERS.admin.id, { disabled: true })
    expect(self.statusCode).toBe(409)
    expect(self.json()).toMatchObject({ code: 'ERR_FLEET_SELF_LOCKOUT' })
    expect((await patch(USERS.admin.id, { role: 'auditor' })).json()).toMatchObject({ code: 'ERR_FLEET_SELF_LOCKOUT' })
    expect((await t.audit.list({ limit: 1, action: 'user.update', target: USERS.admin.id }))[0]).toMatchObject({
      outcome: 'denied',
      details: { reason: 'self' },
    })

    // Another admin may be demoted while ada remains.
    await createUser('second-admin', { role: 'admin' })
    expect((await patch('second-admin', { role: 'auditor' })).json()).toMatchObject({ user: { role: 'auditor' } })

    // ada is now the only enabled admin: nothing may take that away, whoever asks (the repository holds
    // the rule, under a lock, so two admins demoting each other at once cannot both succeed).
    const identity = new IdentityRepo(t.db)
    await expect(identity.updateUser(USERS.admin.id, { disabled: true })).rejects.toMatchObject({
      code: 'ERR_FLEET_LAST_ADMIN',
    })
    await expect(identity.updateUser(USERS.admin.id, { role: 'site' })).rejects.toMatchObject({
      code: 'ERR_FLEET_LAST_ADMIN',
    })
    // A disabled admin is not an admin anyone can use: it does not count.
    await createUser('sleeping-admin', { role: 'admin' })
    expect((await patch('sleeping-admin', { disabled: true })).statusCode).toBe(200)
    await expect(identity.updateUser(USERS.admin.id, { disabled: true })).rejects.toMatchObject({
      code: 'ERR_FLEET_LAST_ADMIN',
    })
    expect((await t.app.inject({ url: '/api/me', headers: admin() })).json()).toMatchObject({ user: { role: 'admin' } })
  })

  it('a reset password is one-time: shown once, sessions end, and the user must choose their own first', async () => {
    const password = await createUser('forgetful', { role: 'site', sites: ['site-b'] })
    const before = cookieOf(await login('forgetful', password))
    const reset = await t.app.inject({ method: 'POST', url: '/api/users/forgetful/reset-password', headers: admin() })
    expect(reset.statusCode).toBe(200)
    const { oneTimePassword } = reset.json() as { oneTimePassword: string }
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(12)
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: before } })).statusCode).toBe(401)
    expect((await login('forgetful', password)).statusCode).toBe(401)

    const answer = await login('forgetful', oneTimePassword)
    expect(answer.json()).toMatchObject({ user: { userId: 'forgetful', mustChangePassword: true } })
    const session = cookieOf(answer)
    const kiosks = await t.app.inject({ url: '/api/kiosks', headers: { cookie: session } })
    expect(kiosks.statusCode).toBe(403)
    expect(kiosks.json()).toMatchObject({ code: 'ERR_FLEET_PASSWORD_CHANGE_REQUIRED' })
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: session } })).statusCode).toBe(200)

    const change = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: { cookie: session },
      payload: { currentPassword: oneTimePassword, newPassword: 'my own password 42' },
    })
    expect(change.json()).toEqual({ status: 'ok' })
    expect((await t.app.inject({ url: '/api/kiosks', headers: { cookie: session } })).statusCode).toBe(200)
    expect((await login('forgetful', oneTimePassword)).statusCode).toBe(401)

    expect((await t.audit.list({ limit: 1, action: 'user.password.reset' }))[0]).toMatchObject({ target: 'forgetful' })
    expect(JSON.stringify(await t.audit.list({ limit: 500 }))).not.toContain(oneTimePassword)
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/users/forgetful/reset-password',
      headers: { cookie: t.cookies.auditor },
    })
    expect(other.statusCode).toBe(403)
  })

  it('refuses a scope naming an unknown department or site, naming the value', async () => {
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin(),
      payload: {
        id: 'typo',
        displayName: 'T',
        password: PASSWORD,
        role: 'department',
        departments: ['tax', 'publc-security'],
      },
    })
    expect(create.statusCode).toBe(400)
    expect(create.json()).toMatchObject({
      code: 'ERR_FLEET_UNKNOWN_DEPARTMENT',
      message: 'unknown department: "publc-security"',
    })
    expect(
      (await t.app.inject({ url: '/api/users', headers: admin() }))
        .json()
        .users.map((u: { userId: string }) => u.userId),
    ).not.toContain('typo')

    const site = await patch(USERS.site.id, { sites: ['site-b', 'site-x'] })
    expect(site.json()).toMatchObject({ code: 'ERR_FLEET_UNKNOWN_SITE', message: 'unknown site: "site-x"' })
    // A department kiosks report counts as known even when the catalogue lacks it; so does a catalogue one no kiosk has yet.
    expect((await patch(USERS.department.id, { departments: ['tax', 'civil-affairs'] })).statusCode).toBe(200)
    // Unauthorised callers learn nothing about which names exist.
    expect((await patch(USERS.site.id, { sites: ['site-x'] }, t.cookies.auditor)).statusCode).toBe(403)
  })
})

import { sampleHealth } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

// kiosk-a is online and answers ping (route-test-app); kiosk-b (site-b) goes offline below.
let t: RouteTestApp
let admin: { cookie: string }
beforeAll(async () => {
  t = await createRouteTestApp()
  admin = { cookie: t.cookies.admin }
  const batch = emptyBatch()
  const at = 1_764_000_010_000
  // kiosk-b's last report before it went away: in maintenance, its services available.
  batch.health.push({
    kioskId: 'kiosk-b',
    payload: sampleHealth({ seq: 5, ts: at - 1000, mode: 'maintenance' }),
    receivedAt: at - 1000,
  })
  batch.states.push({
    kioskId: 'kiosk-b',
    payload: { state: 'offline', session: 1, ts: at, reason: 'lastWill' },
    receivedAt: at,
  })
  await new IngestStore(t.db).writeBatch(batch)
}, 60_000)
afterAll(async () => t.close())

const post = (url: string, payload: Record<string, unknown> = {}, cookie = admin.cookie) =>
  t.app.inject({ method: 'POST', url, payload, headers: { cookie } })

/** What the fleet published to a kiosk, newest last. */
const requestsTo = (kioskId: string, command: string) =>
  t.published
    .filter((p) => p.topic === `kiosk/v1/${kioskId}/req/${command}`)
    .map((p) => JSON.parse(p.payload) as { transaction: string; expiresAt: number })

const history = async (kioskId: string) =>
  (await t.app.inject({ url: `/api/kiosks/${kioskId}/commands`, headers: admin })).json().commands as {
    transaction: string
    command: string
    status: string
    queued: boolean
    batch: string | null
    requestedBy: string | null
    response: unknown
  }[]

describe('an offline kiosk on its page', () => {
  it('shows device and service states as not live, services unknown with the last known, and its mode', async () => {
    const offline = (await t.app.inject({ url: '/api/kiosks/kiosk-b', headers: admin })).json()
    expect(offline).toMatchObject({ state: 'offline', live: false, mode: 'maintenance' })
    expect(offline.lastReportAt).toBe(new Date(1_764_000_009_000).toISOString())
    expect(offline.services.length).toBeGreaterThan(0)
    for (const s of offline.services) {
      expect(s).toMatchObject({ available: false, reason: 'unknown', blockedBy: [], lastKnownAvailable: true })
    }
    const online = (await t.app.inject({ url: '/api/kiosks/kiosk-a', headers: admin })).json()
    expect(online).toMatchObject({ state: 'online', live: true, mode: 'inService' })
    expect(online.services.every((s: { lastKnownAvailable?: boolean }) => s.lastKnownAvailable === undefined)).toBe(
      true,
    )
    const listed = (await t.app.inject({ url: '/api/kiosks?state=offline', headers: admin })).json().kiosks
    expect(listed.map((k: { id: string; live: boolean }) => [k.id, k.live])).toEqual([['kiosk-b', false]])
  })
})

describe('confirmation of disruptive commands', () => {
  it.each(['reboot', 'restart-agent'])('refuses %s without confirm, and sends nothing', async (command) => {
    const before = t.published.length
    const response = await post(`/api/kiosks/kiosk-a/commands/${command}`)
    expect(response.statusCode).toBe(428)
    expect(response.json()).toMatchObject({ code: 'ERR_FLEET_CONFIRMATION_REQUIRED' })
    const wrongId = await post(`/api/kiosks/kiosk-a/commands/${command}`, { confirm: 'kiosk-b' })
    expect(wrongId.statusCode).toBe(428)
    expect(t.published.length).toBe(before)
  })

  it('refuses enter-maintenance for a site unless the site id is typed', async () => {
    const before = t.published.length
    const body = { target: { siteId: 'site-b' }, params: { reason: 'paper' } }
    expect((await post('/api/commands/enter-maintenance', body)).statusCode).toBe(428)
    expect((await post('/api/commands/enter-maintenance', { ...body, confirm: 'kiosk-b' })).statusCode).toBe(428)
    expect(t.published.length).toBe(before)
    const confirmed = await post('/api/commands/enter-maintenance', { ...body, confirm: 'site-b' })
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.json().summary).toMatchObject({ total: 1, queued: 1 })
  })

  it('sends reboot with confirm: true or the kiosk id; a plain command needs no confirm', async () => {
    const confirmed = await post('/api/kiosks/kiosk-a/commands/reboot', { confirm: 'kiosk-a' })
    // The test transport answers only ping: the reboot was sent and timed out.
    expect(confirmed.statusCode).toBe(504)
    expect(requestsTo('kiosk-a', 'reboot')).toHaveLength(1)
    expect((await post('/api/kiosks/kiosk-a/commands/ping')).statusCode).toBe(200)
  })
})

describe('commands to an offline kiosk', () => {
  it('queues them (202) with an expiry, sends nothing, and lists them in the command log', async () => {
    const response = await post('/api/kiosks/kiosk-b/commands/ping', { queueTtlMs: 600_000 })
    expect(response.statusCode).toBe(202)
    const answer = response.json()
    expect(answer).toMatchObject({ status: 'queued', transaction: expect.stringMatching(/^q_/) })
    expect(Date.parse(answer.expiresAt) - Date.now()).toBeGreaterThan(500_000)
    expect(requestsTo('kiosk-b', 'ping')).toHaveLength(0)
    expect((await history('kiosk-b')).find((c) => c.transaction === answer.transaction)).toMatchObject({
      command: 'ping',
      status: 'queued',
      queued: true,
      requestedBy: 'ada',
    })
    const [audit] = await t.audit.list({ limit: 1, action: 'command.ping' })
    expect(audit).toMatchObject({ target: 'kiosk-b', details: { transaction: answer.transaction, queued: true } })
  })

  it('sends it on the kiosk return exactly once, and records the answer', async () => {
    const queued = (await history('kiosk-b')).filter((c) => c.status === 'queued')
    const ping = queued.find((c) => c.command === 'ping')
    expect(ping).toBeDefined()
    // Two replicas apply the same birth at once: the command goes out once.
    const [a, b] = await Promise.all([
      t.commandQueue.kiosksReturned(['kiosk-b']),
      t.commandQueue.kiosksReturned(['kiosk-b']),
    ])
    expect((a ?? 0) + (b ?? 0)).toBe(queued.length)
    expect(requestsTo('kiosk-b', 'ping').map((r) => r.transaction)).toEqual([ping?.transaction])
    expect(await t.commandQueue.kiosksReturned(['kiosk-b'])).toBe(0)
    await vi.waitFor(
      async () => {
        const row = (await history('kiosk-b')).find((c) => c.transaction === ping?.transaction)
        expect(row).toMatchObject({ status: 'ok', response: { appVersion: '0.1.0' } })
      },
      { timeout: 30_000, interval: 20 },
    )
  })

  it('marks a command expired when the kiosk does not return in time, and never sends it', async () => {
    const now = Date.now()
    await t.commandQueue.enqueue([
      {
        transaction: 'q_expired-0001',
        kioskId: 'kiosk-b',
        command: 'self-test',
        params: {},
        requestedAt: now - 2000,
        expiresAt: now - 1000,
      },
    ])
    const swept = await t.commandQueue.sweep()
    expect(swept.expired).toBe(1)
    expect(await t.commandQueue.kiosksReturned(['kiosk-b'])).toBe(0)
    expect(requestsTo('kiosk-b', 'self-test')).toHaveLength(0)
    expect((await history('kiosk-b')).find((c) => c.transaction === 'q_expired-0001')?.status).toBe('expired')
  })

  it('does not record an answer from another kiosk for a queued command', async () => {
    await t.commandQueue.enqueue([
      {
        transaction: 'q_foreign-0001',
        kioskId: 'kiosk-b',
        command: 'self-test',
        params: {},
        requestedAt: Date.now(),
        expiresAt: Date.now() + 60_000,
      },
    ])
    await t.commandQueue.kiosksReturned(['kiosk-b'])
    expect(await t.commandQueue.recordAnswer('kiosk-a', 'q_foreign-0001', 'ok', {})).toBe(false)
    expect(await t.commandQueue.recordAnswer('kiosk-b', 'q_foreign-0001', 'ok', {})).toBe(true)
  })
})

describe('commands to a site or a list of kiosks', () => {
  it('answers per kiosk: the online one now, the offline one queued', async () => {
    const response = await post('/api/commands/ping', { target: { kioskIds: ['kiosk-a', 'kiosk-b'] } })
    expect(response.statusCode).toBe(200)
    const result = response.json()
    expect(result.summary).toEqual({ total: 2, ok: 1, error: 0, timeout: 0, queued: 1 })
    expect(result.kiosks.map((k: { kioskId: string; status: string }) => [k.kioskId, k.status])).toEqual([
      ['kiosk-a', 'ok'],
      ['kiosk-b', 'queued'],
    ])
    for (const id of ['kiosk-a', 'kiosk-b']) {
      expect((await history(id)).some((c) => c.batch === result.batch)).toBe(true)
    }
    const [audit] = await t.audit.list({ limit: 1, action: 'command.ping' })
    expect(audit).toMatchObject({ target: 'kiosks:2', outcome: 'ok', details: { batch: result.batch } })
  })

  it("keeps to the caller's scope: a site user cannot reach another site's kiosks", async () => {
    // The site user sees site-b only (kiosk-b).
    const other = await post('/api/commands/ping', { target: { siteId: 'hx-tc01' } }, t.cookies.site)
    expect(other.statusCode).toBe(404)
    expect(other.json()).toMatchObject({ code: 'ERR_FLEET_SITE_NOT_FOUND' })
    const listed = await post('/api/commands/ping', { target: { kioskIds: ['kiosk-a'] } }, t.cookies.site)
    expect(listed.statusCode).toBe(404)
    expect(listed.json()).toMatchObject({ code: 'ERR_FLEET_KIOSK_NOT_FOUND' })
    const own = await post('/api/commands/ping', { target: { siteId: 'site-b' } }, t.cookies.site)
    expect(own.json().summary).toMatchObject({ total: 1, queued: 1 })
    expect((await post('/api/commands/ping', { target: { siteId: 'site-b' } }, t.cookies.auditor)).statusCode).toBe(403)
  })

  it('rejects a bad target with a stable code', async () => {
    for (const target of [{}, { kioskIds: [] }, { siteId: 'a', kioskIds: ['b'] }]) {
      const response = await post('/api/commands/ping', { target })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

let t: RouteTestApp
beforeAll(async () => {
  t = await createRouteTestApp()
  // A known trail beside the seeded logins: 30 command entries by two actors on two kiosks.
  for (let i = 0; i < 30; i++) {
    await t.audit.append({
      actor: i % 3 === 0 ? 'sam' : 'dora',
      action: i % 2 === 0 ? 'command.ping' : 'command.reboot',
      target: i < 20 ? 'kiosk-a' : 'kiosk-b',
      outcome: i === 7 ? 'timeout' : 'ok',
      details: { note: i === 11 ? 'paper jam, "front" tray' : `run ${i}` },
    })
  }
})
afterAll(async () => t.close())

const search = async (query: Record<string, string>, cookie = t.cookies.auditor) => {
  const response = await t.app.inject({ url: `/api/audit?${new URLSearchParams(query)}`, headers: { cookie } })
  return { status: response.statusCode, body: response.json() as { entries: Record<string, unknown>[]; total: number } }
}

describe('audit search', () => {
  it('filters by actor, action (exact or prefix), target and outcome, with the true total beside each page', async () => {
    const page1 = await search({ actor: 'dora', target: 'kiosk-a', limit: '5' })
    // i < 20 and i % 3 !== 0: 13 entries.
    expect(page1.body.total).toBe(13)
    expect(page1.body.entries).toHaveLength(5)
    const page3 = await search({ actor: 'dora', target: 'kiosk-a', limit: '5', offset: '10' })
    expect(page3.body.entries).toHaveLength(3)
    expect(page3.body.total).toBe(13)
    const seqs = [...page1.body.entries, ...page3.body.entries].map((e) => e.seq as number)
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a))

    expect((await search({ action: 'command.*' })).body.total).toBe(30)
    expect((await search({ action: 'command.reboot' })).body.total).toBe(15)
    expect((await search({ action: 'command' })).body.total).toBe(0)
    expect((await search({ outcome: 'timeout' })).body.entries).toMatchObject([{ details: { note: 'run 7' } }])
  })

  it('searches free text in details, case-insensitively, with LIKE wildcards taken literally', async () => {
    expect((await search({ q: 'PAPER JAM' })).body.entries).toMatchObject([{ target: 'kiosk-a', actor: 'dora' }])
    expect((await search({ q: '%' })).body.total).toBe(0)
    expect((await search({ q: 'kiosk-b' })).body.total).toBe(10)
  })

  it('limits by time range and refuses a malformed time', async () => {
    const all = (await search({ limit: '1000' })).body.entries.map((e) => String(e.ts))
    const middle = all[15] as string
    const since = await search({ since: middle, limit: '1000' })
    expect(since.body.total).toBe(all.filter((ts) => ts >= middle).length)
    expect(since.body.entries.every((e) => String(e.ts) >= middle)).toBe(true)
    const until = await search({ until: middle, limit: '1000' })
    expect(until.body.total).toBe(all.filter((ts) => ts < middle).length)
    expect(since.body.total + until.body.total).toBe(all.length)
    const bad = await search({ since: 'yesterday' })
    expect(bad.status).toBe(400)
    expect((bad.body as unknown as { code: string }).code).toBe('ERR_FLEET_BAD_REQUEST')
  })

  it('exports the matching entries as CSV and NDJSON, audits the export, and is closed to other roles', async () => {
    const csv = await t.app.inject({
      url: '/api/audit/export?format=csv&target=kiosk-a&q=jam',
      headers: { cookie: t.cookies.auditor },
    })
    expect(csv.headers['content-type']).toContain('text/csv')
    const lines = csv.body.trim().split('\n')
    expect(lines[0]).toBe('seq,ts,actor,role,ip,action,target,outcome,details,prevHash,hash')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain('"{""note"":""paper jam, \\""front\\"" tray""}"')

    const ndjson = await t.app.inject({
      url: '/api/audit/export?format=jsonl&actor=sam&action=command.*',
      headers: { cookie: t.cookies.admin },
    })
    const records = ndjson.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { actor: string; seq: number })
    expect(records).toHaveLength(10)
    expect(records.every((r) => r.actor === 'sam')).toBe(true)
    expect(records.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => a - b))

    const [exported] = await t.audit.list({ limit: 1, action: 'audit.export' })
    expect(exported).toMatchObject({ actor: 'ada', details: { format: 'jsonl', actor: 'sam', action: 'command.*' } })
    for (const role of ['department', 'site', 'vendor'] as const) {
      expect((await search({}, t.cookies[role])).status).toBe(403)
    }
  })
})

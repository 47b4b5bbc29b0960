import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NotifySettings } from '../../fleet-server/server/src/alerts/alert-config.ts'
import type { AlertRecord } from '../../fleet-server/server/src/alerts/alert-engine.ts'
import { AlertNotifier } from '../../fleet-server/server/src/alerts/alert-notifier.ts'
import { NotifySettingsStore, redacted } from '../../fleet-server/server/src/alerts/notify-settings.ts'
import { SilenceStore } from '../../fleet-server/server/src/alerts/silence-store.ts'
import type { Database } from '../../fleet-server/server/src/db/database.ts'
import { migrate } from '../../fleet-server/server/src/db/migrate.ts'
import { openPgliteDatabase } from '../../fleet-server/server/src/db/pglite-database.ts'
import { freePort } from '../support/free-port.ts'

const logger = pino({ level: 'silent' })
const SECRET = 'webhook-secret-0123456789'
const DING_SECRET = 'SEC-dingtalk-secret'

interface Received {
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
}

let db: Database
let server: Server
let base: string
const received: Received[] = []
/** Status answers queued per path (then 200/204). */
const answers = new Map<string, number[]>()

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (c: Buffer) => {
      body += c.toString()
    })
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x')
      received.push({ path: url.pathname, query: url.searchParams, headers: request.headers, body })
      const status = answers.get(url.pathname)?.shift() ?? 200
      if (url.pathname === '/wecom' || url.pathname === '/dingtalk') {
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errcode: 0, errmsg: 'ok' }))
      } else response.writeHead(status === 200 ? 204 : status).end()
    })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${port}`
})
afterAll(async () => {
  server?.close()
  await db?.close()
})
beforeEach(async () => {
  received.length = 0
  answers.clear()
  await db.exec('TRUNCATE alerts, alert_silences, alert_settings')
})

let nextId = 0
async function alert(over: Partial<AlertRecord> = {}): Promise<AlertRecord> {
  nextId += 1
  const a = {
    rule: 'kioskOffline',
    kioskId: `kiosk-${nextId}`,
    deviceId: '',
    severity: 'critical' as const,
    message: 'kiosk offline since …',
    department: 'public-security',
    siteId: 'hx-vs07',
    raisedAt: new Date(Date.now() - 3_600_000).toISOString(),
    ...over,
  }
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO alerts (rule, kiosk_id, device_id, severity, state, latched, message, department, site_id, raised_at)
     VALUES ($1, $2, $3, $4, 'active', false, $5, $6, $7, $8) RETURNING id`,
    [a.rule, a.kioskId, a.deviceId, a.severity, a.message, a.department, a.siteId, a.raisedAt],
  )
  return {
    id: Number(row?.id),
    state: 'active',
    latched: false,
    clearedAt: null,
    resolvedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    assignedTo: null,
    ...a,
  }
}

function notifier(settings: NotifySettingsStore) {
  return new AlertNotifier({ settings: () => settings.current(), db, logger })
}

const fromFile = (over: Partial<NotifySettings> = {}): NotifySettings => ({
  routes: [],
  groupWaitMs: 0,
  retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
  ...over,
})

async function deliveries(id: number) {
  const [row] = await db.query<{
    notifications: { channel: string; ok: boolean; attempts: number; grouped: number }[]
  }>('SELECT notifications FROM alerts WHERE id = $1', [id])
  return row?.notifications ?? []
}

describe('alert notifications to real receivers', () => {
  it('signs webhooks with HMAC-SHA256 and retries after an HTTP 500, with the same delivery id', async () => {
    const settings = new NotifySettingsStore(
      db,
      fromFile({ routes: [{ webhook: `${base}/hook`, webhookSecret: SECRET }] }),
    )
    answers.set('/hook', [500])
    const a = await alert()
    await notifier(settings).notify([{ kind: 'raised', alert: a }])
    const hooks = received.filter((r) => r.path === '/hook')
    expect(hooks).toHaveLength(2)
    for (const h of hooks) {
      const ts = h.headers['x-fleet-timestamp'] as string
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${h.body}`).digest('hex')}`
      expect(h.headers['x-fleet-signature']).toBe(expected)
      // A receiver with the wrong secret would refuse it.
      expect(h.headers['x-fleet-signature']).not.toBe(
        `sha256=${createHmac('sha256', 'other-secret-0123456').update(`${ts}.${h.body}`).digest('hex')}`,
      )
    }
    expect(hooks[0]?.headers['x-fleet-delivery']).toBe(hooks[1]?.headers['x-fleet-delivery'])
    expect(JSON.parse(hooks[1]?.body ?? '{}')).toMatchObject({
      event: 'raised',
      alert: { id: a.id, rule: 'kioskOffline' },
    })
    expect(await deliveries(a.id)).toEqual([expect.objectContaining({ channel: 'webhook', ok: true, attempts: 2 })])
  })

  it('gives up on a 4xx at once and after the last retry on 5xx, recording the failure', async () => {
    const settings = new NotifySettingsStore(
      db,
      fromFile({ routes: [{ webhook: `${base}/gone` }, { webhook: `${base}/down` }] }),
    )
    answers.set('/gone', [404])
    answers.set('/down', [503, 503, 503, 503, 503])
    const a = await alert()
    await notifier(settings).notify([{ kind: 'raised', alert: a }])
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1)
    expect(received.filter((r) => r.path === '/down')).toHaveLength(4)
    expect((await deliveries(a.id)).map((d) => [d.ok, d.attempts])).toEqual([
      [false, 1],
      [false, 4],
    ])
  })

  it('sends WeCom and DingTalk robot messages in their shapes, DingTalk signed (加签)', async () => {
    const settings = new NotifySettingsStore(
      db,
      fromFile({
        routes: [
          {
            wecom: `${base}/wecom?key=wecom-key`,
            dingtalk: `${base}/dingtalk?access_token=tok`,
            dingtalkSecret: DING_SECRET,
          },
        ],
      }),
    )
    const a = await alert({ rule: 'paperOut', deviceId: 'receipt', message: 'receipt paper out' })
    await notifier(settings).notify([{ kind: 'raised', alert: a }])
    const wecom = received.find((r) => r.path === '/wecom') as Received
    expect(wecom.query.get('key')).toBe('wecom-key')
    const wecomBody = JSON.parse(wecom.body) as { msgtype: string; markdown: { content: string } }
    expect(wecomBody.msgtype).toBe('markdown')
    expect(wecomBody.markdown.content).toContain('receipt paper out')
    expect(Object.keys(wecomBody)).toEqual(['msgtype', 'markdown'])
    const ding = received.find((r) => r.path === '/dingtalk') as Received
    expect(ding.query.get('access_token')).toBe('tok')
    const ts = ding.query.get('timestamp') as string
    expect(ding.query.get('sign')).toBe(
      createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64'),
    )
    const dingBody = JSON.parse(ding.body) as { msgtype: string; markdown: { title: string; text: string } }
    expect(dingBody.msgtype).toBe('markdown')
    expect(dingBody.markdown.title).toContain('paperOut')
    expect(dingBody.markdown.text).toContain('receipt paper out')
    // The robot key is a credential: recorded without the query.
    expect((await deliveries(a.id)).map((d) => (d as unknown as { target: string }).target)).toEqual([
      `${base}/wecom`,
      `${base}/dingtalk`,
    ])
  })

  it('groups one station outage into one message per site', async () => {
    const settings = new NotifySettingsStore(db, fromFile({ groupWaitMs: 300, routes: [{ webhook: `${base}/hook` }] }))
    const n = notifier(settings)
    const station = await Promise.all([alert(), alert(), alert()])
    const other = await alert({ siteId: 'hx-vs08' })
    await n.notify([{ kind: 'raised', alert: station[0] as AlertRecord }])
    await n.notify([
      { kind: 'raised', alert: station[1] as AlertRecord },
      { kind: 'raised', alert: station[2] as AlertRecord },
      { kind: 'raised', alert: other },
    ])
    await n.flush()
    const bodies = received.map(
      (r) => JSON.parse(r.body) as { alerts: { kioskId: string }[]; group: { siteId: string; count: number } },
    )
    expect(bodies.map((b) => [b.group.siteId, b.group.count]).sort()).toEqual([
      ['hx-vs07', 3],
      ['hx-vs08', 1],
    ])
    expect(await deliveries(station[2]?.id as number)).toEqual([expect.objectContaining({ ok: true, grouped: 3 })])
  })

  it('escalates an active alert nobody acknowledged, once, but not a silenced or acknowledged one', async () => {
    const settings = new NotifySettingsStore(
      db,
      fromFile({ escalation: { afterMs: 1_800_000, to: { webhook: `${base}/escalate` } } }),
    )
    const n = notifier(settings)
    const forgotten = await alert()
    const fresh = await alert({ raisedAt: new Date().toISOString() })
    const acked = await alert()
    await db.query(`UPDATE alerts SET acknowledged_by = 'ada', acknowledged_at = now() WHERE id = $1`, [acked.id])
    const silenced = await alert({ kioskId: 'kiosk-silenced' })
    await new SilenceStore(db).create(
      { kioskId: 'kiosk-silenced', reason: 'moving it', expiresAt: Date.now() + 3_600_000 },
      'ada',
    )
    expect((await n.escalate()).map((a) => a.id)).toEqual([forgotten.id])
    expect(await n.escalate()).toEqual([])
    const sent = received.filter((r) => r.path === '/escalate')
    expect(sent).toHaveLength(1)
    expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({ event: 'escalated', alert: { id: forgotten.id } })
    expect([fresh.id, silenced.id]).not.toContain(forgotten.id)
  })

  it('takes new settings at the next delivery, keeps saved secrets, and never shows them', async () => {
    const settings = new NotifySettingsStore(db, fromFile({ routes: [{ webhook: `${base}/old` }] }))
    const n = notifier(settings)
    await n.notify([{ kind: 'raised', alert: await alert() }])
    await settings.put(fromFile({ routes: [{ webhook: `${base}/new`, webhookSecret: SECRET }] }), 'ada')
    // Saved again without the secret (as the dashboard does): the secret stays.
    await settings.put(fromFile({ routes: [{ webhook: `${base}/new` }] }), 'ada')
    await n.notify([{ kind: 'raised', alert: await alert() }])
    expect(received.map((r) => r.path)).toEqual(['/old', '/new'])
    expect(received[1]?.headers['x-fleet-signature']).toMatch(/^sha256=/)
    const shown = redacted(await settings.current())
    expect(JSON.stringify(shown)).not.toContain(SECRET)
    expect(shown).toMatchObject({ source: 'runtime', updatedBy: 'ada', routes: [{ webhookSecretSet: true }] })
  })
})

import { createServer, type Server } from 'node:http'
import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { quietLogger, testAgentConfig } from '../support/fleet.ts'
import { freePort } from '../support/free-port.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

// A fleet-server with PGlite and an agent: slow to start on a busy machine, never timing-sensitive.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 })

interface Hook {
  event: string
  alert: { id: number; rule: string; kioskId: string; deviceId: string; state: string }
}

describe('alerts reach the right people, by webhook and e-mail', () => {
  let stack: TestStack
  let agent: KioskAgent
  let webhook: Server
  let smtp: SMTPServer
  const hooks: Hook[] = []
  const mails: { to: string[]; body: string }[] = []
  const robots: { url: string; body: string }[] = []
  let hookBase = ''
  let routes: unknown[] = []

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = ''
      request.on('data', (c: Buffer) => {
        body += c.toString()
      })
      request.on('end', () => {
        if (request.url?.startsWith('/wecom')) {
          robots.push({ url: request.url, body })
          response.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}')
          return
        }
        hooks.push(JSON.parse(body) as Hook)
        response.writeHead(204).end()
      })
    })
    const hookPort = await freePort()
    await new Promise<void>((resolve) => webhook.listen(hookPort, '127.0.0.1', resolve))
    hookBase = `http://127.0.0.1:${hookPort}`
    routes = [
      {
        departments: ['public-security'],
        webhook: `http://127.0.0.1:${hookPort}/alerts`,
        email: ['ps-it@example.test'],
      },
      { departments: ['tax'], email: ['tax-it@example.test'] },
    ]
    const smtpPort = await freePort()
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let body = ''
        stream.on('data', (c: Buffer) => {
          body += c.toString()
        })
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body })
          done()
        })
      },
    })
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve))

    stack = await startStack(
      { broker: 'embedded-aedes', db: 'pglite' },
      {
        alerts: {
          rules: { kioskOffline: { raiseAfterMs: 500 } },
          notify: {
            smtp: { host: '127.0.0.1', port: smtpPort, from: 'fleet@example.test' },
            groupWaitMs: 0,
            routes,
          },
        },
      },
    )
    agent = createKioskAgent({ config: testAgentConfig('alert-k1', stack.mqttUrl), logger: quietLogger })
    await agent.start()
    await waitFor(
      'kiosk online',
      async () => (await stack.api<{ state: string }>('/api/kiosks/alert-k1')).state === 'online',
    )
  })
  afterAll(async () => {
    await agent?.stop().catch(() => undefined)
    await stack?.stop()
    webhook?.close()
    await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()))
  })

  it('raises paper out, notifies the department, and resolves when the roll is replaced', async () => {
    const receipt = agent.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'userError', paper: 'out' })
    const raised = await waitFor('webhook for paper out', () =>
      hooks.find((h) => h.event === 'raised' && h.alert.rule === 'paperOut'),
    )
    expect(raised.alert).toMatchObject({ kioskId: 'alert-k1', deviceId: 'receipt', state: 'active' })
    const mail = await waitFor('e-mail for paper out', () => mails.find((m) => m.body.includes('paperOut')))
    expect(mail.to).toEqual(['ps-it@example.test'])
    const { alerts } = await stack.api<{ alerts: { id: number; rule: string }[] }>('/api/alerts')
    expect(alerts.map((a) => a.rule)).toContain('paperOut')

    receipt.setStatus({ state: 'online', paper: 'full' })
    await waitFor('webhook for the resolution', () =>
      hooks.find((h) => h.event === 'resolved' && h.alert.rule === 'paperOut'),
    )
    expect(mails.every((m) => !m.to.includes('tax-it@example.test'))).toBe(true)
  })

  it('silences through the API (audited), and sends to a route added at runtime without a restart', async () => {
    const json = { 'content-type': 'application/json' }
    const silence = await stack.api<{ id: number; reason: string }>('/api/alerts/silences', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        kioskId: 'alert-k1',
        rule: 'paperLow',
        reason: 'new rolls ordered',
        durationMs: 3_600_000,
      }),
    })
    expect(silence.reason).toBe('new rolls ordered')
    const refused = await stack.api<{ code: string }>('/api/alerts/silences', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ kioskId: 'alert-k1', reason: 'forever' }),
    })
    expect(refused.code).toBe('ERR_FLEET_SILENCE_INVALID')
    const receipt = agent.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'online', paper: 'low' })
    await waitFor('paper low held back by the silence', async () => {
      const { kiosks } = await stack.api<{ kiosks: Record<string, { reason: string; rule: string }[]> }>(
        '/api/alerts/suppressions?kiosk=alert-k1',
      )
      return kiosks['alert-k1']?.some((s) => s.rule === 'paperLow' && s.reason === 'silenced')
    })
    // A WeCom robot joins the public-security route through the API.
    const put = await stack.api<{ source: string; routes: { wecom?: string }[] }>('/api/alerts/settings', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({
        groupWaitMs: 0,
        routes: [{ ...(routes[0] as object), wecom: `${hookBase}/wecom/send?key=ps-robot` }, routes[1]],
      }),
    })
    expect(put.source).toBe('runtime')
    const ended = await stack.api<{ endedBy: string }>(`/api/alerts/silences/${silence.id}`, { method: 'DELETE' })
    expect(ended.endedBy).toBe('admin')
    const robot = await waitFor('WeCom message for paper low', () => robots.find((r) => r.body.includes('paperLow')))
    expect(JSON.parse(robot.body)).toMatchObject({ msgtype: 'markdown' })
    expect(hooks.some((h) => h.event === 'raised' && h.alert.rule === 'paperLow')).toBe(true)
    const actions = await stack.api<{ entries: { action: string }[] }>('/api/audit?limit=50')
    expect(actions.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['alert.silence', 'alert.unsilence', 'alert.settings']),
    )
    receipt.setStatus({ state: 'online', paper: 'full' })
  })

  it('reports the kiosk offline once offlineAfter has passed, and records the deliveries', async () => {
    await agent.stop()
    const offline = await waitFor('offline alert', () => hooks.find((h) => h.alert.rule === 'kioskOffline'), 20_000)
    const row = await waitFor('both deliveries recorded', async () => {
      const [r] = await stack
        .fleet()
        .db.query<{ notifications: { channel: string; ok: boolean }[] }>(
          'SELECT notifications FROM alerts WHERE id = $1',
          [offline.alert.id],
        )
      return r?.notifications.some((n) => n.channel === 'email') && r
    })
    expect(row.notifications.map((n) => [n.channel, n.ok])).toEqual(
      expect.arrayContaining([
        ['webhook', true],
        ['email', true],
      ]),
    )
    const acked = await stack.api<{ acknowledgedBy: string }>(`/api/alerts/${offline.alert.id}/ack`, { method: 'POST' })
    expect(acked.acknowledgedBy).toBe('admin')
  })
})

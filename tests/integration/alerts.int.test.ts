import { createServer, type Server } from 'node:http'
import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietLogger, testAgentConfig } from '../support/fleet.ts'
import { freePort } from '../support/free-port.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

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

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = ''
      request.on('data', (c: Buffer) => {
        body += c.toString()
      })
      request.on('end', () => {
        hooks.push(JSON.parse(body) as Hook)
        response.writeHead(204).end()
      })
    })
    const hookPort = await freePort()
    await new Promise<void>((resolve) => webhook.listen(hookPort, '127.0.0.1', resolve))
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
            routes: [
              {
                departments: ['public-security'],
                webhook: `http://127.0.0.1:${hookPort}/alerts`,
                email: ['ps-it@example.test'],
              },
              { departments: ['tax'], email: ['tax-it@example.test'] },
            ],
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
      return r !== undefined && r.notifications.length >= 2 && r
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

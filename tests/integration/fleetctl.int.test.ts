import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { runFleetctl } from '../support/fleetctl-bin.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const fleetctl = runFleetctl

describe('fleetctl against a running fleet', () => {
  let stack: TestStack
  let agent: KioskAgent
  const env = { FLEETCTL_CONFIG: join(mkdtempSync(join(tmpdir(), 'fleetctl-')), 'config.json') }

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    agent = createKioskAgent({ config: testAgentConfig('ctl-k1', stack.mqttUrl), logger: quietLogger })
    await agent.start()
    await waitFor(
      'kiosk online',
      async () => (await stack.api<{ state: string }>('/api/kiosks/ctl-k1')).state === 'online',
    )
  })
  afterAll(async () => {
    await agent?.stop()
    await stack?.stop()
  })

  it('refuses a wrong password with the auth exit code', async () => {
    const result = await fleetctl(
      ['login', '--server', stack.fleet().httpUrl, '--user', 'admin', '--password-stdin'],
      env,
      'nope\n',
    )
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('wrong user name or password')
  })

  it('logs in once and keeps only a token, readable by its owner alone', async () => {
    const result = await fleetctl(
      ['login', '--server', stack.fleet().httpUrl, '--user', 'admin', '--password-stdin'],
      env,
      `${TEST_ADMIN_PASSWORD}\n`,
    )
    expect(result).toMatchObject({ code: 0 })
    const stored = readFileSync(env.FLEETCTL_CONFIG, 'utf8')
    expect(stored).toContain('fleet_tok_')
    expect(stored).not.toContain(TEST_ADMIN_PASSWORD)
    expect(statSync(env.FLEETCTL_CONFIG).mode & 0o777).toBe(0o600)
  })

  it('lists kiosks as a table and as JSON, and shows one', async () => {
    const human = await fleetctl(['kiosks', 'list'], env)
    expect(human.code).toBe(0)
    expect(human.stdout.split('\n')[0]).toMatch(/^KIOSK\s+TYPE\s+SITE\s+STATE/)
    expect(human.stdout).toMatch(/ctl-k1\s+id\s+花溪镇便民服务中心\s+online/)
    const json = JSON.parse((await fleetctl(['kiosks', 'list', '--state', 'online', '--json'], env)).stdout)
    expect(json.map((k: { id: string }) => k.id)).toEqual(['ctl-k1'])
    const show = await fleetctl(['kiosks', 'show', 'ctl-k1'], env)
    expect(show.stdout).toMatch(/receipt\s+receiptPrinter\s+Epson/)
    expect((await fleetctl(['kiosks', 'show', 'nobody'], env)).code).toBe(4)
  })

  it('sends a command and reports the answer; the command is in the audit log, which verifies', async () => {
    const ping = await fleetctl(['command', 'ctl-k1', 'ping', '--json'], env)
    expect(ping.code).toBe(0)
    expect(JSON.parse(ping.stdout)).toMatchObject({ status: 'ok', data: { appVersion: '0.1.0' } })
    const bad = await fleetctl(['command', 'ctl-k1', 'ping', '--param', 'x=1'], env)
    expect(bad.code).toBe(1)
    const audit = await fleetctl(['audit', 'list', '--action', 'command.ping'], env)
    expect(audit.stdout).toMatch(/command\.ping\s+ctl-k1\s+ok/)
    expect(await fleetctl(['audit', 'verify'], env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('intact'),
    })
  })

  it('lists and acknowledges alerts', async () => {
    const receipt = agent.peripherals.find((p) => p.deviceId === 'receipt') as EmulatedPeripheral
    receipt.setStatus({ state: 'userError', paper: 'out' })
    const listed = await waitFor('paper-out alert listed', async () => {
      const out = await fleetctl(['alerts', 'list', '--json'], env)
      const alerts = JSON.parse(out.stdout) as { id: number; rule: string }[]
      return alerts.find((a) => a.rule === 'paperOut')
    })
    const human = await fleetctl(['alerts', 'list'], env)
    expect(human.stdout).toMatch(/critical\s+active\s+ctl-k1\s+paperOut\s+receipt/)
    const ack = await fleetctl(['alerts', 'ack', String(listed.id)], env)
    expect(ack).toMatchObject({ code: 0, stdout: expect.stringContaining('acknowledged') })
  })

  it('disables and enables a user, sets a password and lifts a lockout', async () => {
    const login = async (password: string) =>
      (
        await fetch(`${stack.fleet().httpUrl}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
          body: JSON.stringify({ username: 'ctl-user', password }),
        })
      ).status
    await stack.api('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ctl-user', displayName: 'C', password: 'first password 123', role: 'auditor' }),
    })
    expect(await fleetctl(['users', 'disable', 'ctl-user'], env)).toMatchObject({
      code: 0,
      stdout: 'ctl-user disabled\n',
    })
    expect(await login('first password 123')).toBe(401)
    expect((await fleetctl(['users', 'enable', 'ctl-user'], env)).code).toBe(0)
    expect(await login('first password 123')).toBe(200)
    const passwd = await fleetctl(['users', 'passwd', 'ctl-user', '--password-stdin'], env, 'second password 456\n')
    expect(passwd).toMatchObject({ code: 0 })
    expect(await login('second password 456')).toBe(200)
    for (let i = 0; i < 6; i++) await login('wrong password')
    expect(await login('second password 456')).toBe(429)
    expect(await fleetctl(['users', 'unlock', 'ctl-user'], env)).toMatchObject({ stdout: 'ctl-user unlocked\n' })
    expect(await login('second password 456')).toBe(200)
    const listed = await fleetctl(['users', 'list'], env)
    expect(listed.stdout).toMatch(/ctl-user\s+C\s+auditor/)
  })

  it('says how to log in when no token is stored', async () => {
    const result = await fleetctl(['kiosks', 'list'], { FLEETCTL_CONFIG: join(tmpdir(), 'no-such-fleetctl.json') })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('fleetctl login')
  })
})

import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKioskAgent, type EmulatedPeripheral, type KioskAgent } from '@kiosk/agent'
import { sampleBirth } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietLogger, TEST_ADMIN_PASSWORD, testAgentConfig } from '../support/fleet.ts'
import { runFleetctl } from '../support/fleetctl-bin.ts'
import { SimKiosk } from '../support/rollout-sim.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const fleetctl = runFleetctl
const TAX_SITE = { ...sampleBirth().site, id: 'ctl-tax-site', name: '税务自助厅', kind: 'villageStation' as const }

describe('fleetctl against a running fleet', () => {
  let stack: TestStack
  let agent: KioskAgent
  let agentConfig: ReturnType<typeof testAgentConfig>
  const sims: SimKiosk[] = []
  const env = { FLEETCTL_CONFIG: join(mkdtempSync(join(tmpdir(), 'fleetctl-')), 'config.json') }

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    agentConfig = testAgentConfig('ctl-k1', stack.mqttUrl)
    agent = createKioskAgent({ config: agentConfig, logger: quietLogger })
    await agent.start()
    await waitFor(
      'kiosk online',
      async () => (await stack.api<{ state: string }>('/api/kiosks/ctl-k1')).state === 'online',
    )
  })
  afterAll(async () => {
    for (const sim of sims) await sim.disconnect().catch(() => undefined)
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

  it('searches, filters and pages kiosks and alerts on the server, with the true total', async () => {
    // Three more kiosks: tax machines at another site, one of them on app 2.0.0.
    for (const [id, appVersion] of [
      ['ctl-tax-1', '1.0.0'],
      ['ctl-tax-2', '2.0.0'],
      ['ctl-tax-3', '1.0.0'],
    ] as const) {
      const sim = new SimKiosk(
        stack.mqttUrl,
        id,
        { appVersion, machineType: 'tax', department: 'tax', site: TAX_SITE },
        'succeed',
        await stack.provisionKiosk(id),
      )
      sims.push(sim)
      await sim.connect()
    }
    await waitFor(
      'four kiosks online',
      async () => (await stack.api<{ total: number }>('/api/kiosks?state=online')).total === 4,
    )
    const ids = (stdout: string) => (JSON.parse(stdout) as { id: string }[]).map((k) => k.id)

    const first = await fleetctl(['kiosks', 'list', '--limit', '2'], env)
    expect(first.stdout.trim().split('\n')).toHaveLength(3) // the header and two kiosks
    expect(first.stderr).toContain('showing 1–2 of 4 (--offset 2 for the next, --all for every one)')
    const second = await fleetctl(['kiosks', 'list', '--limit', '2', '--offset', '2', '--json'], env)
    expect(ids(second.stdout)).toHaveLength(2)
    expect(second.stderr).toContain('showing 3–4 of 4')
    const every = await fleetctl(['kiosks', 'list', '--limit', '1', '--all', '--json'], env)
    expect(ids(every.stdout).sort()).toEqual(['ctl-k1', 'ctl-tax-1', 'ctl-tax-2', 'ctl-tax-3'])

    expect(ids((await fleetctl(['kiosks', 'list', '-q', 'tax', '--json'], env)).stdout).sort()).toEqual([
      'ctl-tax-1',
      'ctl-tax-2',
      'ctl-tax-3',
    ])
    expect(ids((await fleetctl(['kiosks', 'list', '--app-version', '2.0.0', '--json'], env)).stdout)).toEqual([
      'ctl-tax-2',
    ])
    expect(ids((await fleetctl(['kiosks', 'list', '--type', 'id', '--json'], env)).stdout)).toEqual(['ctl-k1'])
    const none = await fleetctl(['kiosks', 'list', '--department', 'market-regulation'], env)
    expect(none.stderr).toContain('none of 0')
    expect((await fleetctl(['kiosks', 'list', '--limit', 'ten'], env)).code).not.toBe(0)

    const history = await fleetctl(['alerts', 'list', '--state', 'all', '--limit', '1'], env)
    expect(history.code).toBe(0)
    expect(history.stderr).toMatch(/^(showing 1–1 of \d+|none of 0)/m)
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

  it('silences a kiosk with a reason and an expiry, lists it and ends it', async () => {
    const added = await fleetctl(
      [
        'silences',
        'add',
        '--kiosk',
        'ctl-k1',
        '--rule',
        'paperOut',
        '--reason',
        'paper roll on order',
        '--for',
        '3h',
        '--json',
      ],
      env,
    )
    expect(added.code, added.stderr).toBe(0)
    const silence = JSON.parse(added.stdout) as { id: number; expiresAt: string; startsAt: string }
    expect(Date.parse(silence.expiresAt) - Date.parse(silence.startsAt)).toBe(3 * 3_600_000)
    const listed = await fleetctl(['silences', 'list'], env)
    expect(listed.stdout).toMatch(new RegExp(`${silence.id}\\s+ctl-k1\\s+\\*\\s+paperOut`))
    expect((await fleetctl(['silences', 'add', '--kiosk', 'ctl-k1', '--reason', 'x'], env)).code).not.toBe(0)
    const ended = await fleetctl(['silences', 'end', String(silence.id)], env)
    expect(ended).toMatchObject({ code: 0, stdout: expect.stringContaining('ended') })
    expect((await fleetctl(['silences', 'list', '--json'], env)).stdout).not.toContain(`"id":${silence.id}`)
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

  it('adds a vendor user scoped to its vendor id; a bad role or a vendor name that is no id is refused', async () => {
    const added = await fleetctl(
      [
        'users',
        'add',
        'ctl-epson',
        '--role',
        'vendor',
        '--vendors',
        'epson',
        '--name',
        'Epson engineer',
        '--password-stdin',
      ],
      env,
      'epson password 123\n',
    )
    expect(added).toMatchObject({ code: 0, stdout: 'ctl-epson created (vendor: epson)\n' })
    const { users } = await stack.api<{ users: { userId: string; role: string; vendors: string[] }[] }>('/api/users')
    expect(users.find((u) => u.userId === 'ctl-epson')).toMatchObject({ role: 'vendor', vendors: ['epson'] })
    const badRole = await fleetctl(
      ['users', 'add', 'ctl-x', '--role', 'root', '--name', 'X', '--password-stdin'],
      env,
      'x password 1234\n',
    )
    expect(badRole.code).toBe(2)
    const badVendor = await fleetctl(
      ['users', 'add', 'ctl-y', '--role', 'vendor', '--vendors', 'Epson', '--name', 'Y', '--password-stdin'],
      env,
      'y password 1234\n',
    )
    expect(badVendor.code).not.toBe(0)
    expect(badVendor.stderr).toContain('ERR_FLEET_BAD_REQUEST')
  })

  it('sends a reboot only with --yes (no terminal to ask on)', async () => {
    const refused = await fleetctl(['command', 'ctl-k1', 'reboot'], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--yes')
    expect((await stack.api<{ entries: unknown[] }>('/api/audit?action=command.reboot')).entries).toEqual([])
    // Confirmed, it reaches the kiosk, which has no reboot command configured.
    const sent = await fleetctl(['command', 'ctl-k1', 'reboot', '--yes', '--json'], env)
    expect(sent.code).toBe(1)
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_UNSUPPORTED' } })
  })

  it('queues commands for an offline kiosk (one, and by site) and runs each once when it returns', async () => {
    const { site } = await stack.api<{ site: { id: string } }>('/api/kiosks/ctl-k1')
    await agent.stop()
    await waitFor(
      'kiosk offline',
      async () => (await stack.api<{ state: string }>('/api/kiosks/ctl-k1')).state === 'offline',
    )
    const one = await fleetctl(['command', 'ctl-k1', 'ping', '--json'], env)
    expect(one.code).toBe(0)
    const queued = JSON.parse(one.stdout) as { status: string; transaction: string }
    expect(queued.status).toBe('queued')
    const bySite = await fleetctl(['command', '--site', site.id, 'self-test'], env)
    expect(bySite.code).toBe(0)
    expect(bySite.stdout).toMatch(/ctl-k1 queued/)
    expect(bySite.stdout).toContain('1 kiosks: 0 ok, 1 queued, 0 error, 0 timeout')

    // The kiosk comes back (the same data directory: a restarted agent).
    agent = createKioskAgent({ config: agentConfig, logger: quietLogger })
    await agent.start()
    type Log = { commands: { transaction: string; command: string; status: string; response: unknown }[] }
    const log = await waitFor('both queued commands answered', async () => {
      const { commands } = await stack.api<Log>('/api/kiosks/ctl-k1/commands')
      const ping = commands.find((c) => c.transaction === queued.transaction)
      const selfTest = commands.find((c) => c.command === 'self-test')
      return ping?.status === 'ok' && selfTest?.status === 'ok' ? commands : undefined
    })
    expect(log.find((c) => c.transaction === queued.transaction)?.response).toMatchObject({ appVersion: '0.1.0' })
    expect(log.filter((c) => c.status === 'queued')).toEqual([])
  })

  it('says how to log in when no token is stored', async () => {
    const result = await fleetctl(['kiosks', 'list'], { FLEETCTL_CONFIG: join(tmpdir(), 'no-such-fleetctl.json') })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('fleetctl login')
  })
})

/**
 * fleetctl against a fleet-server whose HTTPS certificate a private CA signed (the run's test PKI,
 * global-setup.ts): `--cacert` (or FLEETCTL_CACERT) is trusted for every call, `login` remembers it
 * for later commands, the resumable artifact upload included; without it, or with another CA, the
 * error names the certificate and the option.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FleetServer } from '@fleet/server'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Io } from '../../fleet-server/fleetctl/src/context.ts'
import { main } from '../../fleet-server/fleetctl/src/main.ts'
import { testAppReleaseOfSize } from '../support/artifact-bytes.ts'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { startTestFleet, TEST_ADMIN_PASSWORD } from '../support/fleet.ts'
import { runFleetctl } from '../support/fleetctl-bin.ts'
import { createTestUpdateKeys, type TestUpdateKeys } from '../support/update-keys.ts'

const pki = inject('testPki')
const work = mkdtempSync(join(tmpdir(), 'fleetctl-tls-'))
const configFile = join(work, 'config.json')

/** fleetctl's main in this process, with its own login file and environment. */
async function fleetctl(args: string[], env: Record<string, string> = {}, stdin = '') {
  const out: string[] = []
  const err: string[] = []
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readStdin: async () => stdin,
    env: { FLEETCTL_CONFIG: configFile, FLEETCTL_STATE_DIR: join(work, 'uploads'), ...env },
  }
  const code = await main(['node', 'fleetctl', ...args], io)
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}

describe('fleetctl over HTTPS with a private CA', () => {
  let database: TestDatabase
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let fleet: FleetServer
  let server: string
  const login = (extra: string[], env: Record<string, string> = {}) =>
    fleetctl(['login', '--server', server, '--user', 'admin', '--password-stdin', ...extra], env, TEST_ADMIN_PASSWORD)

  beforeAll(async () => {
    database = await createTestDatabase('pglite')
    keys = await createTestUpdateKeys()
    fleet = await startTestFleet({
      database,
      settings: {
        http: { port: 0, tls: { cert: pki.serverCert, key: pki.serverKey } },
        updates: { dir: join(work, 'updates'), rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
      },
    })
    server = fleet.httpUrl
  })
  afterAll(async () => {
    await fleet?.stop()
    await database?.drop()
    await keys?.cleanup()
    rmSync(work, { recursive: true, force: true })
  })

  it('refuses the server without the CA and with another CA, naming the certificate and --cacert', async () => {
    expect(server).toMatch(/^https:\/\//)
    const untrusted = await login([])
    expect(untrusted.code).toBe(5)
    expect(untrusted.stderr).toMatch(/certificate/)
    expect(untrusted.stderr).toContain('--cacert')
    const wrong = await login(['--cacert', pki.wrongCa])
    expect(wrong.code).toBe(5)
    expect(wrong.stderr).toMatch(/certificate/)
    const missing = await login(['--cacert', join(work, 'no-such-ca.pem')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`cannot read --cacert ${join(work, 'no-such-ca.pem')}`)
  })

  it('logs in with --cacert and remembers it: later commands trust the CA without the option', async () => {
    // A global option: before the command or after it.
    const first = await fleetctl(
      ['--cacert', pki.ca, 'login', '--server', server, '--user', 'admin', '--password-stdin'],
      {},
      TEST_ADMIN_PASSWORD,
    )
    expect(first.code).toBe(0)
    expect((await login(['--cacert', pki.ca])).code).toBe(0)
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toMatchObject({ server, cacert: pki.ca })
    // Logging in again to the same server (the token expired) keeps trusting it.
    expect((await login([])).code).toBe(0)
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toMatchObject({ server, cacert: pki.ca })
    const listed = await fleetctl(['kiosks', 'list', '--json'])
    expect(listed).toMatchObject({ code: 0 })
    expect(JSON.parse(listed.stdout)).toEqual([])
    // The environment still overrides what login stored.
    const overridden = await fleetctl(['kiosks', 'list', '--json'], { FLEETCTL_CACERT: pki.wrongCa })
    expect(overridden.code).toBe(5)
    expect(overridden.stderr).toMatch(/certificate/)
  })

  it('uploads an artifact in chunks (tus-style PATCH) over the remembered CA', async () => {
    const file = join(work, 'kiosk-app-1.0.0.tar.gz')
    writeFileSync(file, testAppReleaseOfSize('1.0.0', 200_000))
    const pushed = await fleetctl([
      'artifacts',
      'push',
      file,
      '--kind',
      'app',
      '--version',
      '1.0.0',
      '--chunk-size',
      '64k',
      '--json',
    ])
    expect(pushed.stderr).toBe('')
    expect(pushed.code).toBe(0)
    expect(JSON.parse(pushed.stdout)).toMatchObject({
      kind: 'app',
      version: '1.0.0',
      length: readFileSync(file).byteLength,
    })
  })

  it('takes FLEETCTL_CACERT with FLEETCTL_SERVER and FLEETCTL_TOKEN, without a stored login', async () => {
    const { token } = JSON.parse(readFileSync(configFile, 'utf8')) as { token: string }
    const env = { FLEETCTL_CONFIG: join(work, 'none.json'), FLEETCTL_SERVER: server, FLEETCTL_TOKEN: token }
    expect((await fleetctl(['kiosks', 'list'], env)).code).toBe(5)
    expect((await fleetctl(['kiosks', 'list'], { ...env, FLEETCTL_CACERT: pki.ca })).code).toBe(0)
  })

  it('the real bin trusts the remembered CA and exits when done (no connection keeps it alive)', async () => {
    const run = await runFleetctl(['kiosks', 'list', '--json'], { FLEETCTL_CONFIG: configFile })
    expect(run.stderr).toBe('none of 0\n') // the list's range line only: no certificate warning
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual([])
  })
})

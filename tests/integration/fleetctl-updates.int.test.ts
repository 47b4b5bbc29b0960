/**
 * `fleetctl artifacts …` against a real fleet-server with its update repository: resumable pushes
 * (a cut connection, Ctrl-C, a killed process), vendor artifacts signed on the "vendor's machine"
 * with key files fleetctl made, approvals and revocation; the real bin, as an operator runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FleetServer } from '@fleet/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testAppReleaseOfSize, testFirmwareImage } from '../support/artifact-bytes.ts'
import { createTestDatabase, type TestDatabase } from '../support/databases.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'
import {
  createTestUpdateKeys,
  startUpdateFleet,
  TEST_FIRMWARE_MODEL,
  type TestUpdateKeys,
  testUser,
} from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

const BIN = 'fleet-server/fleetctl/bin/fleetctl.mjs'

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts the real fleetctl bin; `stderr()` so far, `exited` when it ends. */
function start(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const exited = new Promise<Run>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

const fleetctl = (args: string[], env: Record<string, string>) => start(args, env).exited

/** A TCP proxy that, once armed, cuts the connection after `bytes` more bytes from the client. */
async function startCuttingProxy(targetPort: number) {
  let cutAfter: number | undefined
  let cuts = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    sockets.add(client).add(upstream)
    client.on('data', (chunk: Buffer) => {
      if (cutAfter !== undefined) {
        cutAfter -= chunk.length
        if (cutAfter <= 0) {
          cutAfter = undefined
          cuts++
          client.destroy()
          upstream.destroy()
          return
        }
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) {
      s.on('close', end)
      s.on('error', end)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    cutAfter(bytes: number) {
      cutAfter = bytes
    },
    cuts: () => cuts,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
/** A size of 10 kB to 1 MB as fleetctl prints it: decimal kilobytes, rounded (`615 kB`). */
const kB = (length: number) => `${Math.round(length / 1000)} kB`

describe('fleetctl artifacts against a fleet-server with its update repository', () => {
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let database: TestDatabase
  let fleet: FleetServer
  const work = mkdtempSync(join(tmpdir(), 'fleetctl-updates-'))
  const envFor = (auth: { authorization: string }, name: string, server?: string) => ({
    FLEETCTL_SERVER: server ?? fleet.httpUrl,
    FLEETCTL_TOKEN: auth.authorization.replace(/^Bearer /, ''),
    // Each user gets its own config dir, hence its own upload state directory.
    FLEETCTL_CONFIG: join(work, name, 'config.json'),
  })
  let admin: Record<string, string>
  let vendor: Record<string, string>
  let police: Record<string, string>
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(work, name)
    writeFileSync(path, bytes)
    return path
  }
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${fleet.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${admin.FLEETCTL_TOKEN}` },
    })
    return (await response.json()) as T
  }

  beforeAll(async () => {
    keys = await createTestUpdateKeys()
    database = await createTestDatabase('pglite')
    fleet = await startUpdateFleet({ database, updatesDir: join(work, 'repo'), keys })
    admin = envFor(await testUser(fleet, 'it-admin', 'admin'), 'admin')
    vendor = envFor(await testUser(fleet, 'xp-engineer', 'vendor', { vendors: ['xprinter'] }), 'vendor')
    police = envFor(await testUser(fleet, 'police-it', 'department', { departments: ['public-security'] }), 'police')
  })
  afterAll(async () => {
    await fleet?.stop()
    await database?.drop()
    await keys?.cleanup()
    rmSync(work, { recursive: true, force: true })
  })

  it('pushes an app release in chunks with plain progress lines on a pipe, and shows it', async () => {
    const bytes = testAppReleaseOfSize('1.1.0', 600 * 1024)
    const path = file('kiosk-app-1.1.0.tar.gz', bytes)
    const run = await fleetctl(
      [
        'artifacts',
        'push',
        path,
        '--kind',
        'app',
        '--version',
        '1.1.0',
        '--machine-types',
        'id,tax',
        '--chunk-size',
        '64k',
        '--notes',
        '新版界面',
      ],
      admin,
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^art_\w+ ready: app\/1\.1\.0\/kiosk-app-1\.1\.0\.tar\.gz/)
    // Not a terminal: one plain line per 10 %, no carriage returns, ending at 100 %.
    expect(run.stderr).not.toContain('\r')
    // The release is a real tar.gz (600 KiB of payload plus release.json, tar headers, gzip framing).
    const size = kB(bytes.length)
    expect(run.stderr).toMatch(new RegExp(`kiosk-app-1\\.1\\.0\\.tar\\.gz\\s+100% ${size}/${size}`))
    const id = /^(art_\w+)/.exec(run.stdout)?.[1] as string

    const shown = await fleetctl(['artifacts', 'show', id], admin)
    expect(shown.stdout).toMatch(/sha256\s+/)
    expect(shown.stdout).toContain(sha256(bytes))
    expect(shown.stdout).toMatch(/compatibility\s+id,tax/)
    expect(shown.stdout).toContain('approvals: none yet')
    const listed = JSON.parse((await fleetctl(['artifacts', 'list', '--json'], admin)).stdout) as { id: string }[]
    expect(listed.map((a) => a.id)).toContain(id)
    const table = await fleetctl(['artifacts', 'list', '--kind', 'app'], admin)
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+TARGET\s+VERSION\s+STATUS/)
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+app\\s+kiosk app\\s+1\\.1\\.0\\s+ready`))
  })

  it('draws the progress bar in place when standard error is a terminal', async () => {
    const bytes = testAppReleaseOfSize('1.1.2', 300 * 1024)
    const path = file('kiosk-app-1.1.2.tar.gz', bytes)
    const command = [
      process.execPath,
      BIN,
      'artifacts',
      'push',
      path,
      '--kind',
      'app',
      '--version',
      '1.1.2',
      '--chunk-size',
      '32k',
    ]
      .map((a) => `'${a}'`)
      .join(' ')
    // util-linux `script` runs fleetctl on a real pseudo-terminal, as in an operator's shell.
    const run = await new Promise<Run>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, ...admin, COLUMNS: '100' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString()
      })
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr: '' }))
    })
    expect(run.code, run.stdout).toBe(0)
    // Carriage return + "erase line" before each redraw.
    const screen = run.stdout.replaceAll('\r', '<CR>').replaceAll('\x1b', '<ESC>')
    const size = kB(bytes.length)
    expect(screen).toMatch(new RegExp(`<CR><ESC>\\[2K█+ kiosk-app-1\\.1\\.2\\.tar\\.gz 100% ${size}/${size}`))
    expect(screen).toMatch(/<CR><ESC>\[2K░+ kiosk-app-1\.1\.2\.tar\.gz\s+0%/)
    expect(run.stdout).toMatch(/art_\w+ ready/)
  })

  it('prints nothing but the artifact with --json, and refuses bad input before uploading anything', async () => {
    const path = file('kiosk-app-1.1.1.tar.gz', testAppReleaseOfSize('1.1.1', 10_000))
    const run = await fleetctl(['artifacts', 'push', path, '--kind', 'app', '--version', '1.1.1', '--json'], admin)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'app', version: '1.1.1', status: 'ready' })

    const noFile = await fleetctl(
      ['artifacts', 'push', join(work, 'nope.bin'), '--kind', 'app', '--version', '1.2.0'],
      admin,
    )
    expect(noFile).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') })
    const noModel = await fleetctl(['artifacts', 'push', path, '--kind', 'firmware', '--version', '1.0.0'], vendor)
    expect(noModel).toMatchObject({ code: 2, stderr: expect.stringContaining('--vendor and --model') })
    const notJson = file('printer-settings.json', Buffer.from('density = 5'))
    const config = await fleetctl(
      [
        'artifacts',
        'push',
        notJson,
        '--kind',
        'config',
        '--version',
        '1.0.0',
        '--vendor',
        'xprinter',
        '--model',
        TEST_FIRMWARE_MODEL,
      ],
      vendor,
    )
    expect(config).toMatchObject({ code: 2, stderr: expect.stringContaining('is not JSON') })
    const badKey = file('bad-key.json', Buffer.from('{"keytype":"rsa"}'))
    const refused = await fleetctl(
      [
        'artifacts',
        'push',
        path,
        '--kind',
        'firmware',
        '--version',
        '1.0.0',
        '--vendor',
        'xprinter',
        '--model',
        TEST_FIRMWARE_MODEL,
        '--key',
        badKey,
      ],
      vendor,
    )
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('not an ed25519 TUF key pair') })
    // A vendor may not push a kiosk app release: the server's code comes through with the auth exit code.
    const forbidden = await fleetctl(['artifacts', 'push', path, '--kind', 'app', '--version', '1.3.0'], vendor)
    expect(forbidden.code).toBe(3)
    expect(forbidden.stderr).toMatch(/ERR_FLEET_\w+/)
    const { artifacts } = await api<{ artifacts: { version: string }[] }>('/api/artifacts')
    expect(artifacts.map((a) => a.version)).not.toContain('1.3.0')
  })

  it('carries on after the connection is cut mid-upload, from the offset the server has', async () => {
    const proxy = await startCuttingProxy(Number(new URL(fleet.httpUrl).port))
    try {
      const bytes = testAppReleaseOfSize('1.4.0', 1024 * 1024)
      const path = file('kiosk-app-1.4.0.tar.gz', bytes)
      // The create call and a few chunks go through; then the connection dies inside a PATCH body.
      proxy.cutAfter(300 * 1024)
      const run = await fleetctl(
        ['artifacts', 'push', path, '--kind', 'app', '--version', '1.4.0', '--chunk-size', '128k'],
        envFor({ authorization: `Bearer ${admin.FLEETCTL_TOKEN}` }, 'admin-cut', `http://127.0.0.1:${proxy.port}`),
      )
      expect(run.code, run.stderr).toBe(0)
      expect(proxy.cuts()).toBe(1)
      expect(run.stderr).toMatch(/connection lost at [\d.]+ kB .*retry 1 of 5/)
      expect(run.stderr).toMatch(/resuming at [\d.]+ kB/)
      expect(run.stdout).toMatch(/ready/)
      const id = /^(art_\w+)/.exec(run.stdout)?.[1] as string
      const artifact = await api<{ sha256: string; length: number; status: string }>(`/api/artifacts/${id}`)
      expect(artifact).toMatchObject({ sha256: sha256(bytes), length: bytes.length, status: 'ready' })
    } finally {
      await proxy.close()
    }
  })

  describe('an interrupted push resumes when the same command runs again', () => {
    let proxy: TcpProxy
    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(fleet.httpUrl).port))
    })
    afterAll(async () => {
      await proxy?.close()
    })

    /** Starts a push through the proxy and stops the network once a first part of the file has landed. */
    async function pushUntilPartlyUploaded(version: string, env: Record<string, string>) {
      const bytes = testAppReleaseOfSize(version, 2 * 1024 * 1024)
      const path = file(`kiosk-app-${version}.tar.gz`, bytes)
      const args = ['artifacts', 'push', path, '--kind', 'app', '--version', version, '--chunk-size', '64k']
      const first = start(args, env)
      await waitFor('a tenth of the file uploaded', async () => /\s(1\d|[2-9]\d)% /.test(first.stderr()))
      proxy.freeze()
      return { bytes, args, first }
    }

    const stateFiles = (env: Record<string, string>) => {
      const dir = join(env.FLEETCTL_CONFIG as string, '..', 'uploads')
      return existsSync(dir) ? readdirSync(dir) : []
    }

    it('after the process was killed (kill -9) mid-upload', async () => {
      const env = envFor(
        { authorization: `Bearer ${admin.FLEETCTL_TOKEN}` },
        'admin-kill',
        `http://127.0.0.1:${proxy.port}`,
      )
      const { bytes, args, first } = await pushUntilPartlyUploaded('1.5.0', env)
      first.child.kill('SIGKILL')
      expect((await first.exited).signal).toBe('SIGKILL')
      proxy.thaw()
      // The upload id was kept, keyed by the file's hash.
      expect(stateFiles(env)).toEqual([expect.stringMatching(new RegExp(`-${sha256(bytes)}\\.json$`))])
      const state = JSON.parse(
        readFileSync(join(env.FLEETCTL_CONFIG, '..', 'uploads', stateFiles(env)[0] as string), 'utf8'),
      )
      const head = await fetch(`${fleet.httpUrl}/api/uploads/${state.uploadId}`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${admin.FLEETCTL_TOKEN}` },
      })
      const offset = Number(head.headers.get('upload-offset'))
      expect(offset).toBeGreaterThan(0)
      expect(offset).toBeLessThan(bytes.length)

      const again = await fleetctl(args, env)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toMatch(new RegExp(`resuming upload of ${state.artifactId} at`))
      expect(again.stdout).toContain(`${state.artifactId} ready`)
      expect(await api(`/api/artifacts/${state.artifactId}`)).toMatchObject({ sha256: sha256(bytes), status: 'ready' })
      // Done: the state file is gone.
      expect(stateFiles(env)).toEqual([])
    })

    it('after Ctrl-C, which says how to resume and exits 130', async () => {
      const env = envFor(
        { authorization: `Bearer ${admin.FLEETCTL_TOKEN}` },
        'admin-int',
        `http://127.0.0.1:${proxy.port}`,
      )
      const { bytes, args, first } = await pushUntilPartlyUploaded('1.6.0', env)
      first.child.kill('SIGINT')
      const stopped = await first.exited
      proxy.thaw()
      expect(stopped.code).toBe(130)
      expect(stopped.stderr).toMatch(/interrupted at [\d.]+ [kM]B of 2\.1 MB; run the same command again to resume/)
      const again = await fleetctl([...args, '--json'], env)
      expect(again.code, again.stderr).toBe(0)
      expect(JSON.parse(again.stdout)).toMatchObject({ sha256: sha256(bytes), status: 'ready' })
    })

    it('without its state file: the server has this very file, so the push carries on with it', async () => {
      const env = envFor(
        { authorization: `Bearer ${admin.FLEETCTL_TOKEN}` },
        'admin-lost',
        `http://127.0.0.1:${proxy.port}`,
      )
      const { bytes, args, first } = await pushUntilPartlyUploaded('1.7.0', env)
      first.child.kill('SIGKILL')
      await first.exited
      proxy.thaw()
      rmSync(join(env.FLEETCTL_CONFIG, '..', 'uploads'), { recursive: true })
      const again = await fleetctl(args, env)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toMatch(/already holds this file \(uploading\); resuming at/)
      expect(again.stdout).toMatch(/ready/)
      const id = /^(art_\w+)/.exec(again.stdout)?.[1] as string
      expect(await api(`/api/artifacts/${id}`)).toMatchObject({ sha256: sha256(bytes), status: 'ready' })
    })
  })

  describe('vendor firmware, signed on the vendor machine', () => {
    const keyFile = join(work, 'xprinter-key.json')
    const otherKeyFile = join(work, 'stranger-key.json')
    const firmware = testFirmwareImage(TEST_FIRMWARE_MODEL, '2.1.0', 200 * 1024)
    let firmwarePath: string
    const pushArgs = () => [
      'artifacts',
      'push',
      firmwarePath,
      '--kind',
      'firmware',
      '--version',
      '2.1.0',
      '--vendor',
      'xprinter',
      '--model',
      TEST_FIRMWARE_MODEL,
      '--hw-revisions',
      'r2',
      '--machine-types',
      'id',
    ]
    let artifactId: string

    beforeAll(async () => {
      firmwarePath = file('xp-t58h-2.1.0.bin', firmware)
      const generated = await fleetctl(['keys', 'generate', '--out', keyFile], {})
      expect(generated.code, generated.stderr).toBe(0)
      writeFileSync(join(work, 'xprinter-public.json'), generated.stdout)
      await fleetctl(['keys', 'generate', '--out', otherKeyFile], {})
    })

    it('keys generate writes a 0600 key pair, never overwrites it, and prints only the public key', async () => {
      const pair = JSON.parse(readFileSync(keyFile, 'utf8'))
      const printed = JSON.parse(readFileSync(join(work, 'xprinter-public.json'), 'utf8'))
      expect(printed).toEqual({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pair.keyval.public } })
      expect(JSON.stringify(printed)).not.toContain(pair.keyval.private)
      const { statSync } = await import('node:fs')
      expect(statSync(keyFile).mode & 0o777).toBe(0o600)
      const again = await fleetctl(['keys', 'generate', '--out', keyFile], {})
      expect(again.code).toBe(2)
      expect(readFileSync(keyFile, 'utf8')).toBe(`${JSON.stringify(pair, null, 2)}\n`)
    })

    it('the admin registers the vendor with its public key', async () => {
      const refused = await fleetctl(
        ['vendors', 'add', 'xprinter', '--name', '芯烨 Xprinter', '--key', join(work, 'xprinter-public.json')],
        vendor,
      )
      expect(refused.code).toBe(3)
      const added = await fleetctl(
        ['vendors', 'add', 'xprinter', '--name', '芯烨 Xprinter', '--key', join(work, 'xprinter-public.json')],
        admin,
      )
      expect(added.code, added.stderr).toBe(0)
      const listed = await fleetctl(['vendors', 'list'], admin)
      expect(listed.stdout).toMatch(/xprinter\s+芯烨 Xprinter\s+1\s+1\s+[0-9a-f]{12}/)
    })

    it('without --key the bytes are uploaded and the push says it waits for signatures', async () => {
      const run = await fleetctl(pushArgs(), vendor)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(
        /(art_\w+) is uploaded and waits for xprinter's signatures: run the same command again with --key/,
      )
      artifactId = /(art_\w+) is uploaded/.exec(run.stderr)?.[1] as string
      expect(await api(`/api/artifacts/${artifactId}`)).toMatchObject({ status: 'signing' })
    })

    it('a key the vendor role does not list is refused, and the artifact keeps waiting', async () => {
      const run = await fleetctl([...pushArgs(), '--key', otherKeyFile], vendor)
      expect(run.code).not.toBe(0)
      expect(run.stderr).toMatch(/ERR_FLEET_\w+/)
      expect(await api(`/api/artifacts/${artifactId}`)).toMatchObject({ status: 'signing' })
    })

    it('the same command with --key signs locally, uploads nothing again, and the artifact is ready in TUF', async () => {
      const run = await fleetctl([...pushArgs(), '--key', keyFile], vendor)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).not.toMatch(/\d+% /)
      expect(run.stderr).toMatch(/signing targets-xprinter|signing \S*xprinter\S* with 1 key/)
      expect(run.stdout).toContain(`${artifactId} ready: firmware/xprinter/${TEST_FIRMWARE_MODEL}/`)
      // The vendor's role, as a kiosk fetches it, lists the file with its hash.
      const role = await fetch(`${fleet.httpUrl}/updates/metadata/${/signing (\S+) with/.exec(run.stderr)?.[1]}.json`)
      expect(role.status).toBe(200)
      const metadata = (await role.json()) as { signed: { targets: Record<string, { hashes: { sha256: string } }> } }
      expect(Object.values(metadata.signed.targets).map((t) => t.hashes.sha256)).toContain(sha256(firmware))
      // The private key never went over the wire: the server holds only the public key.
      const pair = JSON.parse(readFileSync(keyFile, 'utf8'))
      const rows = await fleet.db.query<{ body: string }>('SELECT body FROM tuf_metadata')
      expect(rows.some((r) => r.body.includes(pair.keyval.private))).toBe(false)
    })

    it('a department approves it for its own departments only; the approval shows; an admin revokes', async () => {
      const notMine = await fleetctl(['artifacts', 'approve', artifactId, '--department', 'tax'], police)
      expect(notMine.code).toBe(3)
      const byVendor = await fleetctl(['artifacts', 'approve', artifactId, '--department', 'public-security'], vendor)
      expect(byVendor.code).toBe(3)
      const approved = await fleetctl(['artifacts', 'approve', artifactId, '--department', 'public-security'], police)
      expect(approved).toMatchObject({ code: 0, stdout: `${artifactId} approved for public-security\n` })
      const shown = await fleetctl(['artifacts', 'show', artifactId], police)
      expect(shown.stdout).toMatch(/APPROVED FOR\s+BY\s+AT\n\s*public-security\s+police-it/)
      expect(shown.stdout).toMatch(/compatibility\s+id; hw r2/)
      const listed = await fleetctl(['artifacts', 'list', '--vendor', 'xprinter'], vendor)
      expect(listed.stdout).toMatch(
        new RegExp(
          `${artifactId}\\s+firmware\\s+xprinter/${TEST_FIRMWARE_MODEL}\\s+2\\.1\\.0\\s+ready\\s+\\S+ kB\\s+public-security`,
        ),
      )

      const notByVendor = await fleetctl(['artifacts', 'revoke', artifactId], vendor)
      expect(notByVendor.code, notByVendor.stderr).toBe(3)
      const revoked = await fleetctl(['artifacts', 'revoke', artifactId, '--json'], admin)
      expect(JSON.parse(revoked.stdout)).toMatchObject({ id: artifactId, status: 'revoked' })
      expect((await fleetctl(['artifacts', 'show', 'art_0000'], admin)).code).toBe(4)
    })

    it('the vendor re-signs its role: a year more, and the revoked firmware is no longer signed', async () => {
      const roleUrl = `${fleet.httpUrl}/updates/metadata/vendor-xprinter.json`
      const before = (await (await fetch(roleUrl)).json()) as { signed: { version: number; expires: string } }
      const foreign = await fleetctl(['vendors', 'resign', 'xprinter', '--key', otherKeyFile], vendor)
      expect(foreign.code).toBe(1)
      expect(foreign.stderr).toContain('the published role carries no valid signature of your keys')
      const run = await fleetctl(['vendors', 'resign', 'xprinter', '--key', keyFile], vendor)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain(`vendor-xprinter version ${before.signed.version + 1} published`)
      expect(run.stdout).toMatch(new RegExp(`taken out \\(revoked\\): firmware/xprinter/${TEST_FIRMWARE_MODEL}/`))
      const after = (await (await fetch(roleUrl)).json()) as {
        signed: { version: number; expires: string; targets: Record<string, unknown> }
      }
      expect(after.signed.version).toBe(before.signed.version + 1)
      expect(after.signed.targets).toEqual({})
      expect(Date.parse(after.signed.expires)).toBeGreaterThanOrEqual(Date.parse(before.signed.expires))
      const audit = await api<{ entries: Array<{ action: string; outcome: string }> }>('/api/audit?limit=200')
      expect(audit.entries.filter((e) => e.action === 'updates.vendor.resign').map((e) => e.outcome)).toEqual(['ok'])
    })
  })
})

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO_KIOSKS } from '../../scripts/demo-fleet.ts'
import { fetchTrusting } from '../../scripts/tls/https-fetch.ts'
import { hasExited } from '../support/stop-child.ts'
import { waitFor } from '../support/wait-for.ts'

// The README's vendor walkthrough, run as written against `npm start`'s demo (scripts/demo.ts, all
// five kiosks as their own processes), with the real fleetctl and kiosk-devices bins through npx:
// if a command in the README is wrong, this fails. A shared two-core machine: generous bounds only.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 })

const ROOT = join(import.meta.dirname, '../..')
const HEADING = "### A vendor's firmware in the demo, step by step"
const RECEIPT_KIOSKS = DEMO_KIOSKS.filter((k) => k.receipt).map((k) => k.kioskId)

/** The first fenced bash block under `heading` in `markdown`, as written. */
function fencedBlockUnder(markdown: string, heading: string): string {
  const at = markdown.indexOf(`\n${heading}\n`)
  if (at < 0) throw new Error(`README has no heading ${heading}`)
  const section = markdown.slice(at + heading.length + 2)
  const block = /```bash\n([\s\S]*?)\n```/.exec(section)
  // The block must belong to this section: no other heading between the two.
  if (!block?.[1] || /^#{1,6} /m.test(section.slice(0, block.index))) {
    throw new Error(`no bash block under ${heading}`)
  }
  return block[1]
}

interface KioskView {
  id: string
  state: string
  peripherals: { deviceId: string; modelId?: string; firmware: string | null; status: { state?: string } | null }[]
}

describe("the README's vendor walkthrough, run as written against a started demo", () => {
  const work = mkdtempSync(join(tmpdir(), 'readme-vendor-'))
  const dataDir = join(work, 'demo')
  let demo: ChildProcess
  let demoOut = ''
  let url: string
  let api: <T>(path: string) => Promise<T>

  beforeAll(async () => {
    // `npm start` is `tsx scripts/demo.ts`; a free HTTP port and its own data directory, no pcscd
    // (the walkthrough needs no card, and other tests may be using the one pcscd socket).
    demo = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/demo.ts',
        '--data-dir',
        dataDir,
        '--http-port',
        '0',
        '--panel-port',
        '0',
        '--no-pcscd',
      ],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
    )
    demo.stdout?.on('data', (c: Buffer) => {
      demoOut += c.toString()
    })
    demo.stderr?.on('data', (c: Buffer) => {
      demoOut += c.toString()
    })
    url = await waitFor(
      'the demo to print its dashboard URL',
      () => {
        if (hasExited(demo)) throw new Error(`the demo exited:\n${demoOut}`)
        return /dashboard\s+(https:\/\/127\.0\.0\.1:\d+)\//.exec(demoOut)?.[1]
      },
      240_000,
      200,
    )
    const httpsFetch = fetchTrusting(readFileSync(join(dataDir, 'tls', 'ca.crt')))
    const login = await httpsFetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'kiosk-fleet-demo' }),
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    api = async <T>(path: string) => (await (await httpsFetch(`${url}${path}`, { headers: { cookie } })).json()) as T
    // As a reader would: the five kiosks online and the three printers reporting firmware 1.0.0 first.
    await waitFor(
      'the demo kiosks online with their printers',
      async () => {
        const { kiosks } = await api<{ kiosks: KioskView[] }>('/api/kiosks')
        const online = kiosks.filter((k) => k.state === 'online')
        const printers = online.filter((k) =>
          k.peripherals.some((p) => p.deviceId === 'receipt' && p.status?.state === 'online' && p.firmware === '1.0.0'),
        )
        return online.length === DEMO_KIOSKS.length && printers.length === RECEIPT_KIOSKS.length
      },
      240_000,
      500,
    )
  })

  afterAll(async () => {
    if (demo !== undefined && !hasExited(demo)) {
      // Ctrl-C: the demo stops its kiosks, devices and fleet-server itself.
      const exited = new Promise((resolve) => demo.once('exit', resolve))
      demo.kill('SIGINT')
      await exited
    }
    // Anything of the demo's process group still there (it started them all) goes too.
    try {
      if (demo?.pid !== undefined) process.kill(-demo.pid, 'SIGKILL')
    } catch {
      // the group is already gone
    }
    rmSync(work, { recursive: true, force: true })
  })

  it('takes epson from `vendors add` to a completed rollout, every printer reporting the new firmware', async () => {
    const written = fencedBlockUnder(readFileSync(join(ROOT, 'README.md'), 'utf8'), HEADING)
    // Only the demo's URL and the two directories under .data/ are this run's own.
    const script = written
      .replaceAll('https://127.0.0.1:8080', url)
      .replaceAll('.data/demo/', `${dataDir}/`)
      .replaceAll('.data/epson', join(work, 'epson'))
    expect(script).not.toContain('.data/')
    expect(script).toContain('npx fleetctl vendors add epson')
    expect(script).toContain('npx kiosk-devices printer build-firmware')

    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const bash = spawn('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: ROOT,
        env: { ...process.env, FLEETCTL_CONFIG: join(work, 'fleetctl', 'config.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      bash.stdout.on('data', (c: Buffer) => {
        out += c.toString()
      })
      bash.stderr.on('data', (c: Buffer) => {
        out += c.toString()
      })
      bash.once('error', reject)
      bash.once('exit', (code) => resolve({ code, out }))
    })
    expect(run.code, run.out).toBe(0)

    // The preview said which kiosks are left out and why.
    expect(run.out).toContain('3 kiosk(s) selected of 5 matching the filter')
    expect(run.out).toMatch(/hx-tc-license-01: modelMismatch — no epson-tm-t20ii \(it has /)
    expect(run.out).toMatch(/hx-lw-ss-01: modelMismatch — no epson-tm-t20ii \(it has /)
    // `kiosks show` printed the printer on the new firmware.
    expect(run.out).toMatch(/receipt\s+receiptPrinter\s+Epson\s+TM-T20II\s+1\.1\.0\s+online/)

    const { rollouts } = await api<{ rollouts: { name: string; status: string }[] }>('/api/rollouts')
    expect(rollouts.map((r) => [r.name, r.status])).toEqual([['TM-T20II 1.1.0', 'completed']])
    // Each emulated printer was flashed: its kiosk's health reports it online on 1.1.0.
    for (const kioskId of RECEIPT_KIOSKS) {
      const kiosk = await api<KioskView>(`/api/kiosks/${kioskId}`)
      expect(kiosk.peripherals.find((p) => p.deviceId === 'receipt')).toMatchObject({
        modelId: 'epson-tm-t20ii',
        firmware: '1.1.0',
        status: expect.objectContaining({ state: 'online' }),
      })
    }
  })
})

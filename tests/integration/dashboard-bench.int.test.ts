import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { type ChildRun, collectOutput } from '../support/child-output.ts'

const root = join(import.meta.dirname, '../..')

/** `npm run bench:dashboard`, shrunk: the harness works end to end (no figure is asserted). */
function runBench(args: string[]): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/dashboard.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEST_POSTGRES_URL: inject('postgresUrl') },
  })
  return collectOutput(child).exited
}

describe('dashboard benchmark harness', () => {
  it('measures every endpoint over HTTP at each concurrency, ingest kept and the first render', async () => {
    const run = await runBench(['--kiosks', '300', '--sites', '150', '--seconds', '1', '--ingest-burst', '300'])
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/production path, default settings: fleet-server process/)
    for (const clients of ['1 client', '8 clients']) expect(run.stdout).toContain(clients)
    for (const name of ['overview', 'kiosk list page', 'kiosk search', 'site view', 'map (sites)', 'alerts list']) {
      expect(run.stdout.match(new RegExp(`\\n  ${name.replace(/[()]/g, '\\$&')} +p50 `, 'g'))).toHaveLength(2)
    }
    expect(run.stdout).toMatch(/readers on: offered \d+ msg\/s, kept \d+ msg\/s \(kept\/offered [\d.]+/)
    expect(run.stdout).toMatch(/first render in Chromium .*median \d+ ms/)
  }, 300_000)
})

/**
 * The fleet-server as its own process (`fleet-server/server/src/main.ts`, as systemd runs it), so a
 * test can kill -9 it mid-stream and start it again on the same database, broker and ports.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopChild } from './stop-child.ts'
import { waitFor } from './wait-for.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const MAIN = join(ROOT, 'fleet-server/server/src/main.ts')

export interface FleetProcess {
  /** The HTTP address from the "fleet-server ready" log line of the current run. */
  readonly httpUrl: string
  /** Peak resident set size (KiB) seen in /proc while running, over every run. */
  readonly peakRssKiB: number
  /** CPU time (user + system, seconds) the current run has used so far, from /proc. */
  cpuSeconds(): Promise<number>
  start(): Promise<void>
  /** SIGKILL: no flush, no goodbye. */
  kill(): Promise<void>
  /** SIGTERM: the graceful stop; with `graceMs`, SIGKILL when it has not ended by then (resolves false). */
  stop(graceMs?: number): Promise<boolean>
}

/** `settings` is the fleet config file (JSON); logs at info go to a line buffer for `ready`. */
export function fleetProcess(settings: Record<string, unknown>, name = 'fleet'): FleetProcess {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`))
  const configFile = join(dir, 'fleet.json')
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info' }, ...settings }))
  let child: ChildProcess | undefined
  let httpUrl = ''
  let peakRssKiB = 0
  let sampler: ReturnType<typeof setInterval> | undefined
  const kill = () => child?.kill('SIGKILL')
  process.once('exit', kill)
  const sample = async () => {
    const pid = child?.pid
    if (pid === undefined) return
    const { readFile } = await import('node:fs/promises')
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
    const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1]
    if (rss !== undefined) peakRssKiB = Math.max(peakRssKiB, Number(rss))
  }
  const proc: FleetProcess = {
    get httpUrl() {
      return httpUrl
    },
    get peakRssKiB() {
      return peakRssKiB
    },
    async cpuSeconds() {
      const pid = child?.pid
      if (pid === undefined) return 0
      const { readFile } = await import('node:fs/promises')
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 1/100 s.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100
    },
    async start() {
      httpUrl = ''
      // PROFILE_FLEET_ARGS: node flags for the fleet-server alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
      const nodeArgs = (process.env.PROFILE_FLEET_ARGS ?? '').split(' ').filter((a) => a !== '')
      const c = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', MAIN, '--config', configFile], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Only the config file speaks: no FLEET_* setting of the test runner's environment leaks in.
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEET_'))),
      })
      child = c
      let stderr = ''
      let buffered = ''
      c.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        let nl = buffered.indexOf('\n')
        while (nl >= 0) {
          const line = buffered.slice(0, nl)
          buffered = buffered.slice(nl + 1)
          if (line.includes('"fleet-server ready"')) httpUrl = (JSON.parse(line) as { http: string }).http
          if (process.env.TEST_LOG_LEVEL !== undefined) process.stderr.write(`[${name}] ${line}\n`)
          nl = buffered.indexOf('\n')
        }
      })
      c.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      sampler = setInterval(() => void sample(), 250)
      const exited = new Promise<never>((_, reject) =>
        c.once('exit', (code, signal) =>
          reject(new Error(`${name} exited ${code ?? signal} before it was ready: ${stderr.slice(-2000)}`)),
        ),
      )
      exited.catch(() => undefined)
      await Promise.race([waitFor(`${name} ready`, () => httpUrl !== '', 120_000), exited])
    },
    async kill() {
      clearInterval(sampler)
      const c = child
      child = undefined
      if (c !== undefined) await stopChild(c, 'SIGKILL')
    },
    async stop(graceMs?: number) {
      clearInterval(sampler)
      const c = child
      child = undefined
      if (c === undefined) return true
      const stopped = stopChild(c, 'SIGTERM').then(() => true)
      if (graceMs === undefined) return stopped
      const late = new Promise<false>((r) => setTimeout(() => r(false), graceMs).unref())
      if (await Promise.race([stopped, late])) return true
      await stopChild(c, 'SIGKILL')
      return false
    },
  }
  return proc
}

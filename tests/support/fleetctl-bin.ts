import { spawn } from 'node:child_process'

export interface FleetctlRun {
  /** Exit code; null when a signal ended it. */
  code: number | null
  stdout: string
  stderr: string
}

/** Starts the real fleetctl bin, as an operator would: its output so far, and the run once it exits. */
export function startFleetctl(args: string[], env: Record<string, string> = {}, stdin = '') {
  const child = spawn(process.execPath, ['fleet-server/fleetctl/bin/fleetctl.mjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  child.stdin.end(stdin)
  const exited = new Promise<FleetctlRun>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
  return { stdout: () => stdout, exited }
}

/** Runs the real fleetctl bin to its end. */
export function runFleetctl(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<FleetctlRun> {
  return startFleetctl(args, env, stdin).exited
}

import { spawn } from 'node:child_process'
import { type ChildRun, collectOutput } from './child-output.ts'

/** Exit code (null when a signal ended it), stdout and stderr. */
export type FleetctlRun = ChildRun

/** Starts the real fleetctl bin, as an operator would: its output so far, and the run once it exits. */
export function startFleetctl(args: string[], env: Record<string, string> = {}, stdin = '') {
  const child = spawn(process.execPath, ['fleet-server/fleetctl/bin/fleetctl.mjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const { stdout, exited } = collectOutput(child)
  child.stdin.end(stdin)
  return { stdout, exited }
}

/** Runs the real fleetctl bin to its end. */
export function runFleetctl(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<FleetctlRun> {
  return startFleetctl(args, env, stdin).exited
}

import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { type ChildRun, collectOutput } from './child-output.ts'
import { hasExited } from './stop-child.ts'

const root = join(import.meta.dirname, '../..')
const bin = join(root, 'drivers/cli/bin/kiosk-devices.mjs')

export type CliRun = ChildRun

export interface CliProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when the process exits. */
  exited: Promise<CliRun>
  /** SIGTERM (the CLI stops emulators cleanly on it), then the exit. */
  stop(): Promise<CliRun>
}

/** Starts the real `kiosk-devices` bin (node + tsx), as a technician's `npx kiosk-devices …` would. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env })
  const { stdout, stderr, exited } = collectOutput(child)
  return {
    child,
    stdout,
    stderr,
    exited,
    async stop() {
      if (!hasExited(child)) child.kill('SIGTERM')
      return exited
    },
  }
}

/** Runs the bin to completion, killing it after `timeoutMs`. */
export async function runCli(args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliRun> {
  const cli = startCli(args, env)
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs)
  try {
    return await cli.exited
  } finally {
    clearTimeout(timer)
  }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'

export interface PtyLink {
  /** The path the user asked for: the host opens this, as it would /dev/ttyUSB0. */
  hostPath: string
  /** The other end, for the emulator. */
  devicePath: string
  /** Resolves when socat exits (killed, or the link path went away). */
  exited: Promise<void>
  close(): Promise<void>
}

/** A raw, echo-free pty pair from socat with one end linked at `hostPath`. */
export async function createPtyLink(hostPath: string): Promise<PtyLink> {
  if (existsSync(hostPath)) {
    throw new CommandFailure(ExitCodes.usage, `${hostPath} already exists — pick another --link path or remove it`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-devices-'))
  const devicePath = join(dir, 'device')
  const socat: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  socat.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()))
  const failed = new Promise<never>((_, reject) => {
    socat.once('error', (err: NodeJS.ErrnoException) => {
      rmSync(dir, { recursive: true, force: true })
      reject(
        err.code === 'ENOENT'
          ? new CommandFailure(ExitCodes.missingDependency, 'socat not found — apt-get install socat')
          : err,
      )
    })
  })
  const deadline = Date.now() + 5000
  while (!(existsSync(devicePath) && existsSync(hostPath) && stderr.includes('starting data transfer loop'))) {
    if (socat.exitCode !== null) throw new CommandFailure(ExitCodes.failure, `socat exited: ${stderr.trim()}`)
    if (Date.now() > deadline)
      throw new CommandFailure(ExitCodes.failure, `socat did not create the pty in 5 s: ${stderr}`)
    await Promise.race([new Promise((r) => setTimeout(r, 20)), failed])
  }
  return {
    hostPath,
    devicePath,
    exited,
    async close() {
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

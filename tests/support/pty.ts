import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopChild } from './stop-child.ts'

export interface PtyPair {
  /** Path for the device side (emulator). */
  deviceEnd: string
  /** Path for the host side (driver), as it would open /dev/ttyUSB0. */
  hostEnd: string
  close(): Promise<void>
}

/**
 * A real pseudo-terminal pair from socat, raw and without echo: the emulator opens one end with
 * serialport, the driver the other, so termios, flush and timing behave as on a real UART.
 */
export async function createPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'pty-'))
  const deviceEnd = join(dir, 'device')
  const hostEnd = join(dir, 'host')
  const socat: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${hostEnd}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  socat.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const spawnError = new Promise<never>((_, reject) => {
    socat.once('error', (err) => reject(new Error(`socat failed to start (apt-get install socat): ${err.message}`)))
  })
  const deadline = Date.now() + 5000
  while (!(existsSync(deviceEnd) && existsSync(hostEnd) && stderr.includes('starting data transfer loop'))) {
    if (Date.now() > deadline) throw new Error(`socat did not create the pty pair in 5 s: ${stderr}`)
    await Promise.race([new Promise((r) => setTimeout(r, 20)), spawnError])
  }
  return {
    deviceEnd,
    hostEnd,
    async close() {
      await stopChild(socat)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

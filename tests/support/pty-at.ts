import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { hasExited, stopChild } from './stop-child.ts'

/**
 * A socat pty pair at chosen link paths: plugging a device back in where it was, so a driver that
 * reopens its path (as after a USB replug, /dev/serial/by-id/… comes back) finds it again.
 */
export async function ptyPairAt(deviceEnd: string, hostEnd: string): Promise<{ close(): Promise<void> }> {
  for (const p of [deviceEnd, hostEnd]) {
    mkdirSync(dirname(p), { recursive: true })
    rmSync(p, { force: true })
  }
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${hostEnd}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  socat.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const deadline = Date.now() + 5000
  while (!(existsSync(deviceEnd) && existsSync(hostEnd) && stderr.includes('starting data transfer loop'))) {
    if (hasExited(socat) || Date.now() > deadline) throw new Error(`socat did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    async close() {
      await stopChild(socat)
    },
  }
}

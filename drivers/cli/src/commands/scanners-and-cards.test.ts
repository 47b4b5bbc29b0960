import { describe, expect, it } from 'vitest'
import { main } from '../main.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } }
}

describe('kiosk-devices scanner, scan and sscard arguments', () => {
  it('lists the new command groups in the help', async () => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', '--help'], c.io)).toBe(0)
    for (const name of ['scanner', 'scan', 'sscard']) expect(c.out.join('')).toContain(name)
  })

  it.each([
    [['scanner', 'listen'], /--port/],
    [['scanner', 'listen', '--port', '/dev/x', '--mode', 'usb'], /--mode/],
    [['scanner', 'listen', '--port', '/dev/x', '--prefix', '0'], /--prefix must be hex bytes/],
    [['scan', '--resolution', 'high'], /--resolution must be a positive integer/],
    [['scan', '--source', 'tray'], /--source/],
    [['sscard', 'read', '--timeout', '-1'], /--timeout must be a positive integer/],
    [['emulate', 'scanner'], /--link/],
    [['emulate', 'sscard', '--port', 'x'], /--port must be a positive integer/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', ...args], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(message)
  })

  it('scan without --out or --list is a usage error', async () => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', 'scan', '--device', 'nosuch:0'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/--out FILE/)
  })
})

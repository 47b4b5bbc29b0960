import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliProcess, runCli, startCli } from '../support/cli.ts'
import { waitFor } from '../support/wait-for.ts'

const running: CliProcess[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('kiosk-devices scanner listen ↔ emulate scanner on a pty', () => {
  it('prints one JSON line per scan, Chinese intact, garbage dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scanner-cli-'))
    dirs.push(dir)
    const link = join(dir, 'scanner')
    const qr = '社保卡激活:A52010012'
    const emulator = startCli([
      'emulate',
      'scanner',
      '--link',
      link,
      '--aim',
      '--garbage',
      '--scan',
      qr,
      '6901234567892',
      '--delay',
      '0',
      '--every',
      '300',
    ])
    running.push(emulator)
    await waitFor('the pty link', () => existsSync(link), 20_000)
    const listened = await runCli(['scanner', 'listen', '--port', link, '--aim', '--json', '--count', '4'])
    expect(listened.code).toBe(0)
    const lines = listened.stdout.trim().split('\n')
    expect(lines).toHaveLength(4)
    const scans = lines.map((l) => JSON.parse(l) as { data: string; symbology: string; aimId: string })
    for (const scan of scans) expect([qr, '6901234567892']).toContain(scan.data)
    expect(scans.map((s) => s.data)).toContain(qr)
    expect(scans.find((s) => s.data === qr)).toEqual({ data: qr, symbology: 'qrCode', aimId: ']Q1' })
  })

  it('exits 4 with advice when the port cannot be opened, 2 on bad arguments', async () => {
    const missing = await runCli(['scanner', 'listen', '--port', '/dev/does-not-exist'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/cannot open \/dev\/does-not-exist/)
    const bad = await runCli(['scanner', 'listen', '--port', '/dev/x', '--suffix', 'zz'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--suffix must be hex bytes/)
  })
})

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.ts'
import { startSaneTestBackend } from '../support/sane.ts'

const out = mkdtempSync(join(tmpdir(), 'sane-cli-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('kiosk-devices scan', () => {
  it('scans a page from the virtual test scanner to PNG (private SANE config made by the CLI)', async () => {
    const backend = await startSaneTestBackend() // asserts scanimage is installed
    await backend.remove()
    const env = { ...process.env }
    delete env.SANE_CONFIG_DIR
    const page = join(out, 'page.png')
    const run = await runCli(['scan', '--device', 'test', '--out', page], env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(page)
    expect([...readFileSync(page).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47])
  })

  it('lists the test devices as JSON and scans an ADF batch to PDF', async () => {
    const list = await runCli(['scan', '--device', 'test', '--list', '--json'])
    expect(list.code).toBe(0)
    expect(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { name: string }).name),
    ).toEqual(['test:0', 'test:1'])
    const batch = await runCli([
      'scan',
      '--device',
      'test',
      '--source',
      'adf',
      '--max-pages',
      '2',
      '--resolution',
      '50',
      '--out',
      join(out, 'doc-%d.pdf'),
      '--json',
    ])
    expect(batch.code).toBe(0)
    // scanimage writes a PDF batch as one multi-page file
    expect(JSON.parse(batch.stdout)).toMatchObject({ pageCount: 2, pages: [{ path: join(out, 'doc-1.pdf') }] })
  })

  it('exits 4 for a scanner that is not there', async () => {
    const run = await runCli(['scan', '--device', 'nosuch:0', '--out', join(out, 'x.png')])
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/noDevice/)
  })
})

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readCatalogueBundle } from '@kiosk-fleet/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import type { Io } from '../context.ts'
import { main } from '../main.ts'

const DEMO = resolve(import.meta.dirname, '../../../../kiosk/catalogue/departments')

async function run(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '', env: {} }
  const code = await main(['node', 'fleetctl', ...args], io)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('fleetctl services validate', () => {
  const broken = mkdtempSync(join(tmpdir(), 'fleetctl-catalogue-'))
  afterAll(() => rmSync(broken, { recursive: true, force: true }))

  it('accepts the demo catalogue and summarises it per department', async () => {
    const r = await run(['services', 'validate', DEMO])
    expect(r.code).toBe(0)
    expect(r.out).toContain('housing-fund')
    expect(r.out).toMatch(/ok: 4\d services/)
    const json = JSON.parse((await run(['services', 'validate', DEMO, '--json'])).out)
    expect(json.services).toContain('queue-ticket')
  })

  it('refuses a catalogue with a bad definition, listing every error, exit 1', async () => {
    cpSync(join(DEMO, 'housing-fund'), join(broken, 'housing-fund'), { recursive: true })
    writeFileSync(
      join(broken, 'housing-fund/services/hf-broken.json'),
      JSON.stringify({ id: 'hf-broken', department: 'housing-fund', identity: 'retina', output: { kind: 'fax' } }),
    )
    const r = await run(['services', 'validate', broken])
    expect(r.code).toBe(1)
    expect(r.err).toContain('hf-broken.json#/version')
    expect(r.err).toContain('hf-broken.json#/identity')
    expect(r.err).toContain('hf-broken.json#/name')
    expect(r.err.split('\n').length).toBeGreaterThan(3)
  })
})

describe('fleetctl services bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetctl-bundle-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("writes one department's bundle that reads back with its services", async () => {
    const out = join(dir, 'tax.json')
    const r = await run(['services', 'bundle', DEMO, '--department', 'tax', '--version', '2026.12.1', '--out', out])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/tax 2026\.12\.1, 5 services/)
    const read = readCatalogueBundle(readFileSync(out), { department: 'tax', version: '2026.12.1' })
    expect(read.ok && read.catalogue.services.map((s) => s.id)).toContain('tax-certificate')
  })

  it('writes nothing for a department with a bad definition, every error listed, exit 1', async () => {
    const src = join(dir, 'src')
    cpSync(join(DEMO, 'tax'), join(src, 'tax'), { recursive: true })
    writeFileSync(join(src, 'tax/services/tax-broken.json'), JSON.stringify({ id: 'tax-broken', department: 'tax' }))
    const out = join(dir, 'broken.json')
    const r = await run(['services', 'bundle', src, '--department', 'tax', '--version', '2', '--out', out])
    expect(r.code).toBe(1)
    expect(r.err).toContain('tax-broken.json#/name')
    expect(existsSync(out)).toBe(false)
    expect((await run(['services', 'bundle', src, '--department', 'hrss', '--version', '2', '--out', out])).code).toBe(
      2,
    )
  })
})

import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleCatalogue, type CatalogueBundle, readCatalogueBundle } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { catalogueDirProvider, DEFAULT_CATALOGUE_DIR, loadCatalogueDir, readCatalogueFiles } from './catalogue-dir.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-catalogue-'))
  cpSync(DEFAULT_CATALOGUE_DIR, dir, { recursive: true })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const logger = pino({ level: 'silent' })
const serviceFile = () => join(dir, 'tax/services/tax-invoice.json')
/** Rewrites a file with a modification time of its own (a second later than any before). */
let tick = 1_800_000_000
const rewrite = (file: string, text: string) => {
  writeFileSync(file, text)
  tick += 1
  utimesSync(file, tick, tick)
}

describe('the fleet reads the service catalogue from a folder', () => {
  it('loads the demo catalogue shipped beside the fleet-server', () => {
    const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
    expect(catalogue.departments.map((d) => d.id)).toContain('tax')
    expect(catalogue.services.find((s) => s.id === 'tax-invoice')?.department).toBe('tax')
  })

  it('refuses a missing or invalid folder with every error listed', () => {
    expect(() => loadCatalogueDir(join(dir, 'nowhere'))).toThrow(
      expect.objectContaining({ code: 'ERR_FLEET_SERVICE_CATALOGUE_INVALID' }),
    )
    writeFileSync(serviceFile(), '{"id": "tax-invoice"}')
    expect(() => loadCatalogueDir(dir)).toThrow(/tax\/services\/tax-invoice\.json/)
  })

  it('reads a changed file again, and keeps the last valid catalogue when a change breaks it', async () => {
    const catalogue = catalogueDirProvider(dir, logger)
    const name = async () => (await catalogue()).services.find((s) => s.id === 'tax-invoice')?.name.en
    const before = await name()
    const json = JSON.parse(readFileSync(serviceFile(), 'utf8')) as { name: { zh: string; en: string } }
    rewrite(serviceFile(), JSON.stringify({ ...json, name: { ...json.name, en: 'Invoices' } }))
    expect(await name()).toBe('Invoices')
    rewrite(serviceFile(), '{ not json')
    expect(await name()).toBe('Invoices')
    expect(before).not.toBe('Invoices')
  })

  it('lays the bundles departments published over the folder, and keeps the last valid one when they clash', async () => {
    let published: CatalogueBundle[] = []
    const catalogue = catalogueDirProvider(dir, logger, async () => published)
    const ids = async () => (await catalogue()).services.map((s) => s.id)
    const tax = readCatalogueFiles(dir).filter((f) => f.path.startsWith('tax/'))
    const withService = (id: string) => {
      const copy = JSON.parse(String(tax.find((f) => f.path === 'tax/services/tax-invoice.json')?.content))
      const files = [...tax, { path: `tax/services/${id}.json`, content: JSON.stringify({ ...copy, id }) }]
      const read = readCatalogueBundle(bundleCatalogue('tax', id, files))
      if (!read.ok) throw new Error('test bundle invalid')
      return read.bundle
    }
    expect(await ids()).not.toContain('tax-published')
    published = [withService('tax-published')]
    expect(await ids()).toContain('tax-published')
    // A bundle that clashes with another department's service id: the last valid catalogue stays.
    published = [withService('hf-deposit-certificate')]
    expect(await ids()).toContain('tax-published')
  })
})

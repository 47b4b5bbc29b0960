import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleCatalogue, type CatalogueFile } from '@kiosk-fleet/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_CATALOGUE_DIR, readCatalogueFiles } from './catalogue-files.ts'
import { CatalogueOverlay, IMAGE_CATALOGUE } from './catalogue-overlay.ts'

const base = readCatalogueFiles(DEFAULT_CATALOGUE_DIR)
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function overlay(): { overlay: CatalogueOverlay; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'catalogue-overlay-'))
  dirs.push(dir)
  return { overlay: new CatalogueOverlay(dir, () => base), dir }
}

/** The tax department's files with one more service, copied from iit-records. */
function taxWith(newId: string): CatalogueFile[] {
  const tax = base.filter((f) => f.path.startsWith('tax/'))
  const copy = JSON.parse(String(tax.find((f) => f.path === 'tax/services/iit-records.json')?.content))
  copy.id = newId
  return [...tax, { path: `tax/services/${newId}.json`, content: JSON.stringify(copy) }]
}

const ids = (c: { services: { id: string }[] }) => c.services.map((s) => s.id)

describe('CatalogueOverlay', () => {
  it("installs a department's bundle over the image, survives a restart, and rolls back to the image", () => {
    const { overlay: o, dir } = overlay()
    expect(o.currentVersion('tax')).toBe(IMAGE_CATALOGUE)
    const image = o.compose()
    const next = o.install('tax', '2', bundleCatalogue('tax', '2', taxWith('tax-new-one')))
    expect(ids(next)).toContain('tax-new-one')
    expect(next.digest).not.toBe(image.digest)
    const restarted = new CatalogueOverlay(dir, () => base)
    expect(restarted.currentVersion('tax')).toBe('2')
    expect(ids(restarted.compose())).toContain('tax-new-one')
    expect(restarted.rollbackTo('tax', IMAGE_CATALOGUE).digest).toBe(image.digest)
    expect(restarted.currentVersion('tax')).toBe(IMAGE_CATALOGUE)
  })

  it('rolls back to the previous bundle and collects the ones no longer kept', () => {
    const { overlay: o, dir } = overlay()
    o.install('tax', '2', bundleCatalogue('tax', '2', taxWith('tax-two')))
    o.install('tax', '3', bundleCatalogue('tax', '3', taxWith('tax-three')))
    o.install('tax', '4', bundleCatalogue('tax', '4', taxWith('tax-four')))
    expect(o.gc()).toEqual(['tax/2.json'])
    const back = o.rollbackTo('tax', '3')
    expect(ids(back)).toContain('tax-three')
    expect(ids(back)).not.toContain('tax-four')
    expect(readdirSync(join(dir, 'tax')).sort()).toEqual(['3.json', '4.json', 'state.json'])
    expect(() => o.rollbackTo('tax', '2')).toThrow(/no catalogue bundle tax 2 kept/)
  })

  it('refuses a bad bundle with every error and keeps the catalogue it had', () => {
    const { overlay: o, dir } = overlay()
    const before = o.compose().digest
    const bad = [
      ...base.filter((f) => f.path.startsWith('tax/')),
      { path: 'tax/services/tax-bad.json', content: JSON.stringify({ id: 'tax-bad', department: 'tax' }) },
    ]
    expect(() => o.install('tax', '5', bundleCatalogue('tax', '5', bad))).toThrow(/tax-bad\.json#\/name/)
    expect(() => o.install('tax', '5', bundleCatalogue('tax', '6', bad))).toThrow(/announced as "5"/)
    expect(o.currentVersion('tax')).toBe(IMAGE_CATALOGUE)
    expect(o.compose().digest).toBe(before)
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a bundle that clashes with another department (a service id used twice)', () => {
    const { overlay: o } = overlay()
    expect(() => o.install('tax', '7', bundleCatalogue('tax', '7', taxWith('hf-deposit-certificate')))).toThrow(
      /also defined in/,
    )
  })

  it('names a damaged installed bundle instead of loading it', () => {
    const { overlay: o, dir } = overlay()
    o.install('tax', '2', bundleCatalogue('tax', '2', taxWith('tax-two')))
    writeFileSync(join(dir, 'tax', '2.json'), '{"format": "kiosk-catalogue-bundle/1"')
    expect(() => o.compose()).toThrow(/installed catalogue bundle tax 2 is damaged/)
  })
})

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundleCatalogue, overlayCatalogue, readCatalogueBundle } from './catalogue-bundle.ts'
import { type CatalogueFile, validateCatalogue } from './validate-catalogue.ts'

const DEMO = resolve(import.meta.dirname, '../../../kiosk/catalogue/departments')

function demoFiles(): CatalogueFile[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
  return walk(DEMO).map((p) => ({ path: relative(DEMO, p).split(sep).join('/'), content: readFileSync(p, 'utf8') }))
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe('catalogue bundle', () => {
  it('every demo department bundles and reads back on its own, with only its own files', () => {
    const files = demoFiles()
    const departments = [...new Set(files.map((f) => f.path.split('/')[0]))]
    expect(departments.length).toBeGreaterThanOrEqual(7)
    for (const department of departments) {
      const read = readCatalogueBundle(bundleCatalogue(department as string, '2026.12.1', files), {
        department,
        version: '2026.12.1',
      })
      if (!read.ok) throw new Error(`${department}: ${JSON.stringify(read.errors)}`)
      expect(read.catalogue.departments.map((d) => d.id)).toEqual([department])
      expect(read.bundle.files.every((f) => f.path.startsWith(`${department}/`))).toBe(true)
    }
  })

  it('an overlay of the image with its own bundles is the same catalogue, digest included', () => {
    const files = demoFiles()
    const whole = validateCatalogue(files)
    const tax = readCatalogueBundle(bundleCatalogue('tax', '1', files))
    if (!whole.ok || !tax.ok) throw new Error('demo catalogue invalid')
    const overlaid = overlayCatalogue(files, [tax.bundle])
    expect(overlaid.ok && overlaid.catalogue.digest).toBe(whole.catalogue.digest)
  })

  it('a bundle replaces its whole department: a service it drops is gone, one it adds is there', () => {
    const files = demoFiles()
    const tax = files.filter((f) => f.path.startsWith('tax/') && !f.path.endsWith('/tax-invoice.json'))
    const added = JSON.parse(String(files.find((f) => f.path === 'tax/services/iit-records.json')?.content))
    added.id = 'iit-records-copy'
    const read = readCatalogueBundle(
      bundleCatalogue('tax', '2', [
        ...tax,
        { path: 'tax/services/iit-records-copy.json', content: JSON.stringify(added) },
      ]),
    )
    if (!read.ok) throw new Error(JSON.stringify(read.errors))
    const overlaid = overlayCatalogue(files, [read.bundle])
    if (!overlaid.ok) throw new Error(JSON.stringify(overlaid.errors))
    const ids = overlaid.catalogue.services.map((s) => s.id)
    expect(ids).toContain('iit-records-copy')
    expect(ids).not.toContain('tax-invoice')
    expect(ids).toContain('hf-deposit-certificate')
  })

  it('a bundle that takes an id in use is the file in error, not the one it lies over', () => {
    const files = demoFiles()
    const taken = JSON.parse(
      String(files.find((f) => f.path === 'housing-fund/services/hf-account-info.json')?.content),
    )
    const template = JSON.parse(String(files.find((f) => f.path === 'tax/templates/tax-payment.json')?.content))
    const civil = files.filter((f) => f.path.startsWith('civil-affairs/'))
    const read = readCatalogueBundle(
      bundleCatalogue('civil-affairs', '2', [
        ...civil,
        {
          path: 'civil-affairs/services/hf-account-info.json',
          content: JSON.stringify({ ...taken, department: 'civil-affairs' }),
        },
        {
          // An A4 template under the id of tax's receipt template.
          path: 'civil-affairs/templates/tax-invoice-receipt.json',
          content: JSON.stringify({ ...template, id: 'tax-invoice-receipt', department: 'civil-affairs' }),
        },
      ]),
    )
    if (!read.ok) throw new Error(JSON.stringify(read.errors))
    const overlaid = overlayCatalogue(files, [read.bundle])
    expect(overlaid.ok).toBe(false)
    if (overlaid.ok) return
    // Only the bundle's two files: tax's receipt service still checks against tax's own template.
    expect(overlaid.errors.map((e) => `${e.file} ${e.message}`).sort()).toEqual([
      'civil-affairs/services/hf-account-info.json service id "hf-account-info" is also defined in housing-fund/services/hf-account-info.json',
      'civil-affairs/templates/tax-invoice-receipt.json template id "tax-invoice-receipt" is used twice',
    ])
  })

  it('lists every error of a bad bundle at once', () => {
    const read = readCatalogueBundle(
      encode({
        format: 'kiosk-catalogue-bundle/1',
        department: 'tax',
        version: '3',
        files: [
          { path: 'hrss/services/x.json', text: '{}' },
          { path: 'tax/services/broken.json', text: '{"id": "broken"' },
        ],
      }),
      { version: '4' },
    )
    expect(read.ok).toBe(false)
    if (read.ok) return
    const messages = read.errors.map((e) => `${e.file} ${e.message}`)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('announced as "4"'),
        expect.stringContaining('hrss/services/x.json outside'),
        expect.stringContaining('tax/services/broken.json not UTF-8 JSON'),
      ]),
    )
  })

  it('refuses what is not a bundle, and a bundle without its department.json', () => {
    expect(readCatalogueBundle(new Uint8Array([0xff, 0xfe])).ok).toBe(false)
    expect(readCatalogueBundle(encode({ department: 'tax' })).ok).toBe(false)
    const files = demoFiles().filter((f) => f.path.startsWith('tax/services/') || f.path.startsWith('tax/templates/'))
    const read = readCatalogueBundle(bundleCatalogue('tax', '5', files))
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.errors.map((e) => e.file)).toContain('tax/department.json')
    expect(text(bundleCatalogue('tax', '5', files))).toContain('"format": "kiosk-catalogue-bundle/1"')
  })
})

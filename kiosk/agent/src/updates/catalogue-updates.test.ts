import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleCatalogue, type CatalogueFile } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_CATALOGUE_DIR, loadCatalogueDir, readCatalogueFiles } from '../catalogue/catalogue-files.ts'
import { CatalogueOverlay, IMAGE_CATALOGUE, startingCatalogue } from '../catalogue/catalogue-overlay.ts'
import { CatalogueStore } from '../catalogue/catalogue-store.ts'
import { catalogueUpdates } from './kind-installers.ts'

const logger = pino({ level: 'silent' })
const base = readCatalogueFiles(DEFAULT_CATALOGUE_DIR)
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** The tax department's files with one more service, copied from iit-records. */
function taxWith(newId: string): CatalogueFile[] {
  const tax = base.filter((f) => f.path.startsWith('tax/'))
  const copy = JSON.parse(String(tax.find((f) => f.path === 'tax/services/iit-records.json')?.content))
  copy.id = newId
  return [...tax, { path: `tax/services/${newId}.json`, content: JSON.stringify(copy) }]
}

/** A kiosk's catalogue side: the overlay on a data dir, the store (busy while a citizen is served). */
function kiosk(dir = temp('catalogue-updates-')) {
  let busy = false
  const overlay = new CatalogueOverlay(dir, () => base)
  const store = new CatalogueStore({ catalogue: overlay.compose(), offer: ['*'], busy: () => busy, logger })
  const staged = (name: string, bytes: Uint8Array) => {
    const file = join(temp('staged-'), name)
    writeFileSync(file, bytes)
    return file
  }
  return {
    dir,
    overlay,
    store,
    updates: catalogueUpdates(overlay, store),
    staged,
    serving(on: boolean) {
      busy = on
      if (!on) store.sessionEnded()
    },
  }
}

describe("the update agent's catalogue installer", () => {
  it('installs a bundle between sessions, passes its health check, and rolls back to the image', async () => {
    const k = kiosk()
    const tax = k.updates.installer('tax')
    expect(tax.currentVersion()).toBe(IMAGE_CATALOGUE)
    k.serving(true)
    await tax.install('2026.12.1', k.staged('b.json', bundleCatalogue('tax', '2026.12.1', taxWith('tax-new'))))
    // Installed on disk and staged, but the citizen on screen keeps the catalogue they started with.
    expect(tax.currentVersion()).toBe('2026.12.1')
    expect(k.store.service('tax-new')).toBeUndefined()
    expect(k.updates.loaded('tax', '2026.12.1')).toBe(true)
    k.serving(false)
    expect(k.store.service('tax-new')).toBeDefined()
    expect(k.updates.loaded('tax', '2026.12.1')).toBe(true)
    expect(k.updates.loaded('tax', '2026.12.2')).toBe(false)

    await tax.rollbackTo(IMAGE_CATALOGUE)
    expect(k.store.service('tax-new')).toBeUndefined()
    expect(tax.currentVersion()).toBe(IMAGE_CATALOGUE)
  })

  it('refuses a bundle that would break the whole catalogue: nothing written, nothing staged', async () => {
    const k = kiosk()
    const before = k.store.catalogue.digest
    const clash = bundleCatalogue('tax', '3', taxWith('hf-deposit-certificate'))
    await expect(k.updates.installer('tax').install('3', k.staged('c.json', clash))).rejects.toMatchObject({
      code: 'ERR_KIOSK_CATALOGUE_INVALID',
    })
    expect(k.store.catalogue.digest).toBe(before)
    expect(k.store.stagedDigest).toBeUndefined()
    expect(k.updates.installer('tax').currentVersion()).toBe(IMAGE_CATALOGUE)
    expect(k.updates.loaded('tax', '3')).toBe(false)
  })

  it('starts with the installed bundles, or with the image when they no longer load (logged)', async () => {
    const k = kiosk()
    await k.updates.installer('tax').install('2', k.staged('b.json', bundleCatalogue('tax', '2', taxWith('tax-two'))))
    const image = () => loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
    expect(
      startingCatalogue(new CatalogueOverlay(k.dir, () => base), image, logger).services.map((s) => s.id),
    ).toContain('tax-two')
    writeFileSync(join(k.dir, 'tax', '2.json'), 'not json')
    const lines: string[] = []
    const capture = pino({ level: 'error' }, { write: (line: string) => lines.push(line) })
    const fallback = startingCatalogue(new CatalogueOverlay(k.dir, () => base), image, capture)
    expect(fallback.digest).toBe(image().digest)
    expect(lines.join('\n')).toMatch(/installed catalogue bundles do not load/)
  })
})

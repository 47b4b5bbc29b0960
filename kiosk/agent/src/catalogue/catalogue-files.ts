import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { AppError } from '@drivers/core'
import { type Catalogue, type CatalogueFile, formatCatalogueErrors, validateCatalogue } from '@kiosk-fleet/protocol'
import { KioskErrorCodes } from '../errors.ts'

/** The demo catalogue shipped in the repository (kiosk/catalogue/departments). */
export const DEFAULT_CATALOGUE_DIR = resolve(import.meta.dirname, '../../../catalogue/departments')
/** The demo gateway's data (kiosk/catalogue/demo-gateway). */
export const DEFAULT_DEMO_GATEWAY_DIR = resolve(import.meta.dirname, '../../../catalogue/demo-gateway')

/** Every file under a catalogue folder, with paths relative to it (`tax/services/x.json`). */
export function readCatalogueFiles(dir: string): CatalogueFile[] {
  const root = resolve(dir)
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f)
      return statSync(p).isDirectory() ? walk(p) : [p]
    })
  return walk(root)
    .filter((p) => p.endsWith('.json'))
    .map((p) => ({ path: relative(root, p).split(sep).join('/'), content: readFileSync(p) }))
}

/** Loads and validates a catalogue folder; a catalogue with any error is refused with every error listed. */
export function loadCatalogueDir(dir: string): Catalogue {
  if (!existsSync(dir)) throw new AppError(KioskErrorCodes.catalogueInvalid, `no catalogue at ${dir}`)
  const result = validateCatalogue(readCatalogueFiles(dir))
  if (!result.ok) {
    throw new AppError(
      KioskErrorCodes.catalogueInvalid,
      `catalogue at ${dir} has ${result.errors.length} error(s):\n${formatCatalogueErrors(result.errors)}`,
    )
  }
  return result.catalogue
}

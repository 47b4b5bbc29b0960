import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import {
  type Catalogue,
  type CatalogueBundle,
  type CatalogueFile,
  formatCatalogueErrors,
  overlayCatalogue,
  validateCatalogue,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { FleetError, FleetErrorCodes } from '../errors.ts'

/** The demo catalogue shipped beside the fleet-server (kiosk/catalogue/departments; `npm run build` copies it). */
export const DEFAULT_CATALOGUE_DIR = resolve(import.meta.dirname, '../../../../kiosk/catalogue/departments')

/** Where the fleet's view of the service catalogue comes from (injected; `services-plugin.ts`). */
export type CatalogueProvider = () => Promise<Catalogue>

/** The `.json` files under a catalogue folder, each with its path relative to it and what identifies its version. */
function listFiles(root: string): { path: string; file: string; stamp: string }[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((entry) => {
      const p = join(d, entry.name)
      return entry.isDirectory() ? walk(p) : entry.name.endsWith('.json') ? [p] : []
    })
  return walk(root)
    .sort()
    .map((file) => {
      const stat = statSync(file)
      return { path: relative(root, file).split(sep).join('/'), file, stamp: `${stat.size}:${stat.mtimeMs}` }
    })
}

/** Every catalogue file under `dir` (`tax/services/tax-certificate.json`, …). */
export function readCatalogueFiles(dir: string): CatalogueFile[] {
  const root = resolve(dir)
  return listFiles(root).map((f) => ({ path: f.path, content: readFileSync(f.file) }))
}

/** Reads and validates a catalogue folder; a missing folder or any error is ERR_FLEET_SERVICE_CATALOGUE_INVALID, every error listed. */
export function loadCatalogueDir(dir: string): Catalogue {
  if (!existsSync(dir)) throw new FleetError(FleetErrorCodes.serviceCatalogueInvalid, `no service catalogue at ${dir}`)
  const result = validateCatalogue(readCatalogueFiles(dir))
  if (!result.ok) {
    throw new FleetError(
      FleetErrorCodes.serviceCatalogueInvalid,
      `service catalogue at ${dir} has ${result.errors.length} error(s):\n${formatCatalogueErrors(result.errors)}`,
    )
  }
  return result.catalogue
}

/**
 * The catalogue of a folder, loaded now (so a bad folder stops the start) and read again when a file
 * is added, removed or changed (size or modification time, checked on each call), with the bundles
 * departments published through the fleet laid over it (`published`, as kiosks lay them over their
 * image). A catalogue that turns invalid while the server runs is logged and the last valid one kept.
 */
export function catalogueDirProvider(
  dir: string,
  logger: Logger,
  published: () => Promise<CatalogueBundle[]> = async () => [],
): CatalogueProvider {
  const root = resolve(dir)
  const signature = (bundles: CatalogueBundle[]) =>
    [
      ...(existsSync(root) ? listFiles(root).map((f) => `${f.path}@${f.stamp}`) : []),
      ...bundles.map((b) => `bundle:${b.department}@${b.version}`),
    ].join('\n')
  let seen = signature([])
  let current = loadCatalogueDir(root)
  return async () => {
    const bundles = await published()
    const now = signature(bundles)
    if (now === seen) return current
    seen = now
    const result = overlayCatalogue(existsSync(root) ? readCatalogueFiles(root) : [], bundles)
    if (result.ok) {
      current = result.catalogue
      logger.info({ dir: root, digest: current.digest, bundles: bundles.length }, 'service catalogue reloaded')
    } else {
      logger.warn(
        {
          dir: root,
          bundles: bundles.map((b) => `${b.department}@${b.version}`),
          errors: formatCatalogueErrors(result.errors),
        },
        'service catalogue changed and is invalid: keeping the last valid one',
      )
    }
    return current
  }
}

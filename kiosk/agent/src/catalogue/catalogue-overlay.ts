import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '@drivers/core'
import {
  type Catalogue,
  type CatalogueBundle,
  type CatalogueFile,
  formatCatalogueErrors,
  overlayCatalogue,
  readCatalogueBundle,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { KioskErrorCodes } from '../errors.ts'
import { writeFileAtomic } from '../fs/atomic-write.ts'

/**
 * The catalogue a kiosk starts with: its image's with the installed bundles laid over it; when those
 * no longer load together (a damaged file, an image whose catalogue changed under them), the image's
 * alone, logged as an error, so the kiosk still serves citizens.
 */
export function startingCatalogue(overlay: CatalogueOverlay, image: () => Catalogue, logger: Logger): Catalogue {
  try {
    return overlay.compose()
  } catch (err) {
    logger.error({ err }, 'installed catalogue bundles do not load; running the catalogue of the image')
    return image()
  }
}

/** The version a department runs when no bundle of it was installed: the image's own files. */
export const IMAGE_CATALOGUE = 'image'

interface DepartmentMarker {
  current: string
  previous?: string
}

/**
 * Department bundles installed over the catalogue of the kiosk's image, one folder per department:
 * `<dir>/<department>/<version>.json` (the bundle as signed) and `state.json` naming the current and
 * the previous version, written atomically after the bundle, so a power loss leaves either the old
 * or the new catalogue. `install` validates the catalogue it would make before writing anything: a
 * kiosk never keeps a bundle that would not load.
 */
export class CatalogueOverlay {
  readonly #dir: string
  readonly #base: () => readonly CatalogueFile[]

  constructor(dir: string, baseFiles: () => readonly CatalogueFile[]) {
    this.#dir = dir
    this.#base = baseFiles
  }

  currentVersion(department: string): string {
    return this.#marker(department)?.current ?? IMAGE_CATALOGUE
  }

  /** The catalogue of the image with every installed bundle laid over it. */
  compose(): Catalogue {
    return this.#validated(this.#installed())
  }

  /** Checks and installs `department`'s bundle `version`; returns the catalogue to stage. */
  install(department: string, version: string, bytes: Uint8Array): Catalogue {
    const read = readCatalogueBundle(bytes, { department, version })
    if (!read.ok) {
      throw new AppError(
        KioskErrorCodes.catalogueInvalid,
        `catalogue bundle ${department} ${version} refused:\n${formatCatalogueErrors(read.errors)}`,
      )
    }
    const others = this.#installed().filter((b) => b.department !== department)
    const catalogue = this.#validated([...others, read.bundle])
    const folder = join(this.#dir, department)
    mkdirSync(folder, { recursive: true })
    writeFileAtomic(join(folder, `${version}.json`), new TextDecoder().decode(bytes))
    const marker = this.#marker(department)
    if (marker?.current !== version) {
      this.#saveMarker(department, {
        current: version,
        previous: marker?.current ?? IMAGE_CATALOGUE,
      })
    }
    return catalogue
  }

  /** Goes back to `version` (the previous bundle, or the image's files); returns the catalogue to stage. */
  rollbackTo(department: string, version: string): Catalogue {
    const marker = this.#marker(department)
    if ((marker?.current ?? IMAGE_CATALOGUE) !== version) {
      if (version !== IMAGE_CATALOGUE && !existsSync(join(this.#dir, department, `${version}.json`))) {
        throw new AppError(KioskErrorCodes.catalogueInvalid, `no catalogue bundle ${department} ${version} kept`)
      }
      if (version === IMAGE_CATALOGUE) rmSync(join(this.#dir, department, 'state.json'), { force: true })
      else this.#saveMarker(department, { current: version })
    }
    return this.compose()
  }

  /** Removes bundles that are neither current nor previous; returns what it removed. */
  gc(): string[] {
    const removed: string[] = []
    for (const department of this.#departments()) {
      const keep = new Set(Object.values(this.#marker(department) ?? {}).map((v) => `${v}.json`))
      keep.add('state.json')
      for (const file of readdirSync(join(this.#dir, department))) {
        if (keep.has(file)) continue
        rmSync(join(this.#dir, department, file), { force: true })
        removed.push(`${department}/${file}`)
      }
    }
    return removed
  }

  #departments(): string[] {
    return existsSync(this.#dir) ? readdirSync(this.#dir) : []
  }

  #installed(): CatalogueBundle[] {
    return this.#departments().flatMap((department) => {
      const current = this.#marker(department)?.current
      if (current === undefined || current === IMAGE_CATALOGUE) return []
      const read = readCatalogueBundle(readFileSync(join(this.#dir, department, `${current}.json`)), {
        department,
        version: current,
      })
      if (!read.ok) {
        throw new AppError(
          KioskErrorCodes.catalogueInvalid,
          `installed catalogue bundle ${department} ${current} is damaged:\n${formatCatalogueErrors(read.errors)}`,
        )
      }
      return [read.bundle]
    })
  }

  #validated(bundles: CatalogueBundle[]): Catalogue {
    const result = overlayCatalogue(this.#base(), bundles)
    if (!result.ok) {
      throw new AppError(
        KioskErrorCodes.catalogueInvalid,
        `the catalogue with bundles ${bundles.map((b) => `${b.department} ${b.version}`).join(', ') || '(none)'} has ${result.errors.length} error(s):\n${formatCatalogueErrors(result.errors)}`,
      )
    }
    return result.catalogue
  }

  #marker(department: string): DepartmentMarker | undefined {
    const file = join(this.#dir, department, 'state.json')
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DepartmentMarker) : undefined
  }

  #saveMarker(department: string, marker: DepartmentMarker): void {
    writeFileAtomic(join(this.#dir, department, 'state.json'), `${JSON.stringify(marker)}\n`)
  }
}

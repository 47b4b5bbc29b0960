import { type Catalogue, type CatalogueError, type CatalogueFile, validateCatalogue } from './validate-catalogue.ts'

/**
 * One department's part of the catalogue as one file, the unit a department signs and the fleet
 * rolls out: its `department.json`, services and templates, each kept as the exact JSON text the
 * department wrote, so a kiosk computes the same catalogue digest as `fleetctl services validate`.
 */
export const CATALOGUE_BUNDLE_FORMAT = 'kiosk-catalogue-bundle/1'

export interface CatalogueBundle {
  format: typeof CATALOGUE_BUNDLE_FORMAT
  department: string
  version: string
  files: { path: string; text: string }[]
}

export type BundleReading =
  | { ok: true; bundle: CatalogueBundle; catalogue: Catalogue }
  | { ok: false; errors: CatalogueError[] }

const BUNDLE = '(bundle)'

function decode(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: true }).decode(content)
}

/** The bundle of `department`'s files (other departments' files are not taken), as bytes to upload. */
export function bundleCatalogue(department: string, version: string, files: readonly CatalogueFile[]): Uint8Array {
  const own = files
    .filter((f) => f.path.startsWith(`${department}/`))
    .map((f) => ({ path: f.path, text: decode(f.content) }))
    .sort((a, b) => a.path.localeCompare(b.path))
  const bundle: CatalogueBundle = { format: CATALOGUE_BUNDLE_FORMAT, department, version, files: own }
  return new TextEncoder().encode(`${JSON.stringify(bundle, null, 1)}\n`)
}

/** The files of a bundle, as `validateCatalogue` takes them. */
export function bundleFiles(bundle: CatalogueBundle): CatalogueFile[] {
  return bundle.files.map((f) => ({ path: f.path, content: f.text }))
}

/**
 * Reads and checks a bundle on its own: its shape, that every file lies in its department's folder
 * and that it has the department's `department.json`, then the catalogue rules. Every error is
 * listed; `expected` pins the department and version the artifact was announced as.
 */
export function readCatalogueBundle(
  bytes: Uint8Array,
  expected: { department?: string; version?: string } = {},
): BundleReading {
  const fail = (message: string): BundleReading => ({ ok: false, errors: [{ file: BUNDLE, pointer: '', message }] })
  let json: unknown
  try {
    json = JSON.parse(decode(bytes))
  } catch (err) {
    return fail(`not UTF-8 JSON: ${(err as Error).message}`)
  }
  const b = json as Partial<CatalogueBundle> | null
  if (typeof b !== 'object' || b === null || b.format !== CATALOGUE_BUNDLE_FORMAT) {
    return fail(`not a catalogue bundle: "format" must be "${CATALOGUE_BUNDLE_FORMAT}"`)
  }
  const errors: CatalogueError[] = []
  if (typeof b.department !== 'string' || !/^[a-z][a-z0-9-]{1,31}$/.test(b.department)) {
    errors.push({ file: BUNDLE, pointer: '/department', message: 'department must be a department id' })
  } else if (expected.department !== undefined && b.department !== expected.department) {
    errors.push({
      file: BUNDLE,
      pointer: '/department',
      message: `bundle of "${b.department}", announced as "${expected.department}"`,
    })
  }
  if (typeof b.version !== 'string' || b.version.length === 0) {
    errors.push({ file: BUNDLE, pointer: '/version', message: 'version must be a non-empty string' })
  } else if (expected.version !== undefined && b.version !== expected.version) {
    errors.push({
      file: BUNDLE,
      pointer: '/version',
      message: `bundle version "${b.version}", announced as "${expected.version}"`,
    })
  }
  const files = Array.isArray(b.files) ? b.files : []
  if (!Array.isArray(b.files)) errors.push({ file: BUNDLE, pointer: '/files', message: 'files must be a list' })
  files.forEach((f, i) => {
    if (typeof f?.path !== 'string' || typeof f?.text !== 'string') {
      errors.push({ file: BUNDLE, pointer: `/files/${i}`, message: 'each file is {path, text}' })
    } else if (typeof b.department === 'string' && !f.path.startsWith(`${b.department}/`)) {
      errors.push({ file: f.path, pointer: '', message: `outside the department's folder "${b.department}/"` })
    }
  })
  const department = typeof b.department === 'string' ? b.department : ''
  const inFolder = files.filter(
    (f) => typeof f?.path === 'string' && typeof f?.text === 'string' && f.path.startsWith(`${department}/`),
  )
  if (!inFolder.some((f) => f.path === `${department}/department.json`)) {
    errors.push({ file: `${department}/department.json`, pointer: '', message: 'missing from the bundle' })
  }
  const result = validateCatalogue(inFolder.map((f) => ({ path: f.path, content: f.text })))
  if (!result.ok) errors.push(...result.errors)
  if (errors.length > 0 || !result.ok) return { ok: false, errors }
  return { ok: true, bundle: b as CatalogueBundle, catalogue: result.catalogue }
}

/**
 * The catalogue a kiosk runs: its image's files with every department that has an installed bundle
 * replaced by that bundle's files, validated as a whole (a service may use only templates its
 * catalogue has, ids stay unique across departments).
 */
export function overlayCatalogue(
  base: readonly CatalogueFile[],
  bundles: readonly CatalogueBundle[],
): ReturnType<typeof validateCatalogue> {
  const replaced = new Set(bundles.map((b) => b.department))
  const kept = base.filter((f) => !replaced.has(f.path.split('/')[0] ?? ''))
  return validateCatalogue(kept, ...bundles.map(bundleFiles))
}

/**
 * The node_modules a set of bundles needs at run time: the npm packages they import (from
 * dist/externals.json) and everything those depend on, copied from this checkout's install so the
 * native bindings are exactly the ones built and tested here. Other platforms' prebuilt binaries are
 * left out; an optional package that is not installed (pcsclite without libpcsclite-dev) is skipped
 * and named.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { findPackageDir } from './build.ts'

const root = resolve(import.meta.dirname, '../..')

interface PackageJson {
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

export interface RuntimeModules {
  /** Package name → the directory it was copied from (relative to the checkout). */
  copied: Map<string, string>
  /** Optional packages that are not installed here. */
  skipped: string[]
}

/**
 * Packages of which only some files are used at run time, by path inside the package (a directory
 * ends in `/`). @vladmandic/human ships 43 MB of builds and models for bodies, hands and objects;
 * the kiosk serves its browser build and the five face models the face check loads
 * (kiosk/ui/public/js/identity/face-check.js): 13 MB.
 */
const ONLY_FILES: Record<string, readonly string[]> = {
  '@vladmandic/human': [
    'package.json',
    'LICENSE',
    'dist/human.esm.js',
    ...['blazeface', 'facemesh', 'faceres', 'antispoof', 'liveness'].flatMap((m) => [
      `models/${m}.json`,
      `models/${m}.bin`,
    ]),
  ],
}

/** Whether `rel` (a path inside the package) is, or leads to, one of `only`. */
function wanted(rel: string, only: readonly string[] | undefined): boolean {
  if (only === undefined || rel === '') return true
  return only.some((path) => path === rel || path.startsWith(`${rel}/`))
}

/** `prebuilds/linux-x64`, `HID-linux-x64-musl`: a directory of binaries for another platform? */
function foreignPrebuild(path: string, target: string): boolean {
  const parent = basename(dirname(path))
  if (parent !== 'prebuilds') return false
  return !basename(path).includes(target)
}

/** Resolves the closure of `externals` (name → dir relative to the checkout; '' = not installed). */
export function resolveRuntimeModules(externals: Record<string, string>): RuntimeModules {
  const top = new Map<string, string>()
  const visited = new Set<string>()
  const skipped = new Set<string>()
  const visit = (name: string, dir: string): void => {
    if (visited.has(dir)) return
    visited.add(dir)
    // A package in another copied package's own node_modules travels with it.
    const nested = [...top.values()].some((placed) => dir.startsWith(`${placed}${sep}`))
    if (!nested) {
      const previous = top.get(name)
      if (previous !== undefined && previous !== dir) {
        throw new Error(`runtime modules: ${name} is needed from both ${previous} and ${dir}`)
      }
      top.set(name, dir)
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
    const optional = new Set([
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ])
    const wanted = new Set([...Object.keys(pkg.dependencies ?? {}), ...optional])
    for (const dep of wanted) {
      const found = findPackageDir(dep, dir)
      if (found === undefined) {
        const peerOptional = pkg.peerDependenciesMeta?.[dep]?.optional === true
        if (optional.has(dep) || peerOptional) continue
        throw new Error(`runtime modules: ${dep} (needed by ${relative(root, dir)}) is not installed`)
      }
      visit(dep, found)
    }
  }
  for (const [name, dir] of Object.entries(externals)) {
    if (dir === '') skipped.add(name)
    else visit(name, join(root, dir))
  }
  const copied = new Map([...top].sort(([a], [b]) => a.localeCompare(b)).map(([n, d]) => [n, relative(root, d)]))
  return { copied, skipped: [...skipped].sort() }
}

/** Copies the closure into `destNodeModules`; returns what it copied and skipped. */
export function copyRuntimeModules(
  externals: Record<string, string>,
  destNodeModules: string,
  target = `${process.platform}-${process.arch}`,
): RuntimeModules {
  const modules = resolveRuntimeModules(externals)
  mkdirSync(destNodeModules, { recursive: true })
  for (const [name, dir] of modules.copied) {
    const from = join(root, dir)
    cpSync(from, join(destNodeModules, name), {
      recursive: true,
      dereference: true,
      filter: (src) =>
        basename(src) !== '.bin' &&
        !foreignPrebuild(src, target) &&
        wanted(relative(from, src).split(sep).join('/'), ONLY_FILES[name]),
    })
  }
  return modules
}

/** The externals of the named bundles in a build's externals.json, merged. */
export function externalsOf(outDir: string, bundleNames: string[]): Record<string, string> {
  const bundles = JSON.parse(readFileSync(join(outDir, 'externals.json'), 'utf8')) as Array<{
    name: string
    externals: Record<string, string>
  }>
  const merged: Record<string, string> = {}
  for (const name of bundleNames) {
    const bundle = bundles.find((b) => b.name === name)
    if (bundle === undefined) throw new Error(`no bundle ${name} in ${outDir}/externals.json`)
    for (const [pkg, dir] of Object.entries(bundle.externals)) {
      const previous = merged[pkg]
      if (previous !== undefined && previous !== '' && dir !== '' && previous !== dir) {
        throw new Error(`${pkg} resolves to both ${previous} and ${dir}`)
      }
      if (previous === undefined || previous === '') merged[pkg] = dir
    }
  }
  return merged
}

/** Bytes under a directory (files only, symlinks not followed). */
export function directorySize(dir: string): number {
  if (!existsSync(dir)) return 0
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += directorySize(path)
    else if (entry.isFile()) total += statSync(path).size
  }
  return total
}

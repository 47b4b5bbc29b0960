import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface WorkspacePackage {
  name: string
  dir: string
  /** bin name → file, relative to `dir`. */
  bin: Record<string, string>
}

interface PackageJson {
  name: string
  version: string
  workspaces?: string[]
  bin?: Record<string, string>
}

export function packageRoot(root: string): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson
}

/** The root package.json's workspaces (`drivers/*` style globs), read from disk. */
export function workspacePackages(root: string): WorkspacePackage[] {
  const dirs = (packageRoot(root).workspaces ?? []).flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(root, pattern.slice(0, -2), d.name))
      : [join(root, pattern)],
  )
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
      return { name: pkg.name, dir, bin: pkg.bin ?? {} }
    })
}

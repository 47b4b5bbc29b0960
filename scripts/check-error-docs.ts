/**
 * `npm run docs:check` (second half): docs/errors.md and the code agree both ways, for every app.
 * - Every stable error code the code base defines (a quoted `ERR_*` literal outside tests) has its
 *   row in docs/errors.md, so IT staff can look up any code they see.
 * - Every code docs/errors.md lists in a table row still occurs in the source, so the page never
 *   sends anyone after a code nothing raises any more.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The apps whose error codes docs/errors.md documents. */
export const ERROR_ROOTS = ['protocol', 'drivers', 'kiosk', 'fleet-server'] as const

export interface ErrorDocsReport {
  /** Codes defined in source but not documented, with a file that defines each. */
  undocumented: Map<string, string>
  /** Codes documented in docs/errors.md that no source file mentions. */
  stale: string[]
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sources(path)
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) yield path
  }
}

/** The codes in the first column of docs/errors.md's tables. */
export function documentedCodes(doc: string): Set<string> {
  return new Set([...doc.matchAll(/^\|\s*`(ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1] as string))
}

/** Compares the source under `root` (the repository) with its docs/errors.md, both ways. */
export function checkErrorDocs(root: string): ErrorDocsReport {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8')
  const documented = documentedCodes(doc)
  const undocumented = new Map<string, string>()
  const mentioned = new Set<string>()
  for (const dir of ERROR_ROOTS) {
    for (const file of sources(join(root, dir))) {
      const text = readFileSync(file, 'utf8')
      for (const [code] of text.matchAll(/ERR_[A-Z0-9_]*[A-Z0-9]/g)) mentioned.add(code)
      for (const [, code] of text.matchAll(/['"`](ERR_[A-Z0-9_]*[A-Z0-9])['"`]/g)) {
        if (code !== undefined && !doc.includes(`\`${code}\``) && !undocumented.has(code)) {
          undocumented.set(code, relative(root, file))
        }
      }
    }
  }
  const stale = [...documented].filter((code) => !mentioned.has(code)).sort()
  return { undocumented, stale }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { undocumented, stale } = checkErrorDocs(process.cwd())
  for (const [code, file] of undocumented) console.error(`docs/errors.md lacks ${code} (defined in ${file})`)
  for (const code of stale) console.error(`docs/errors.md lists ${code}, which no source file defines or uses any more`)
  if (undocumented.size > 0 || stale.length > 0) process.exit(1)
  console.log('docs/errors.md lists every error code, and only codes the source still has')
}

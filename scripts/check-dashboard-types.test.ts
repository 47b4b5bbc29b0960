import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

/** Runs the dashboard's browser typecheck (fleet-server/dashboard/tsconfig.json) on a copy in `dir`. */
function typecheck(dir: string): { status: number | null; output: string } {
  const config = join(dir, 'tsconfig.check.json')
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(repo, 'fleet-server/dashboard/tsconfig.json'),
      compilerOptions: { paths: { '@kiosk-fleet/protocol/http': [join(repo, 'protocol/src/http/index.ts')] } },
      include: ['*.js', 'views/*.js'],
    }),
  )
  const run = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe('dashboard browser typecheck', () => {
  let copy: string
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'dashboard-types-'))
    cpSync(join(repo, 'fleet-server/dashboard'), copy, { recursive: true })
  })
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  it('passes on the dashboard as it is, and fails on a state the HTTP contract does not have', () => {
    expect(typecheck(copy)).toEqual({ status: 0, output: '' })
    const vocabulary = join(copy, 'vocabulary.js')
    writeFileSync(
      vocabulary,
      readFileSync(vocabulary, 'utf8').replace("  aborted: { statusClass: 'bad'", "  abortd: { statusClass: 'bad'"),
    )
    const planted = typecheck(copy)
    expect(planted.status).not.toBe(0)
    expect(planted.output).toContain('vocabulary.js')
    expect(planted.output).toMatch(/abortd|aborted/)
  }, 180_000)
})

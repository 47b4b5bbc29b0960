import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkErrorDocs, ERROR_ROOTS } from './check-error-docs.ts'

const repo = join(import.meta.dirname, '..')

describe('error docs check', () => {
  let copy: string
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'error-docs-'))
    const skip = (path: string) => !/(^|\/)(node_modules|\.data|dist)(\/|$)/.test(path)
    for (const dir of [...ERROR_ROOTS, 'docs'])
      cpSync(join(repo, dir), join(copy, dir), { recursive: true, filter: skip })
  })
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  it('passes on the repository as it is', () => {
    const report = checkErrorDocs(copy)
    expect([...report.undocumented.keys()]).toEqual([])
    expect(report.stale).toEqual([])
  })

  it('fails on an undocumented code and on a documented code the source no longer has', () => {
    writeFileSync(
      join(copy, 'fleet-server/server/src/planted.ts'),
      "export const PLANTED = 'ERR_FLEET_PLANTED_UNDOCUMENTED'\n",
    )
    appendFileSync(join(copy, 'docs/errors.md'), '\n| `ERR_FLEET_PLANTED_STALE` | 400 | Nothing raises this. |\n')
    const report = checkErrorDocs(copy)
    expect([...report.undocumented]).toEqual([['ERR_FLEET_PLANTED_UNDOCUMENTED', 'fleet-server/server/src/planted.ts']])
    expect(report.stale).toEqual(['ERR_FLEET_PLANTED_STALE'])
  })
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import { create } from 'tar'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readManifest, unpackRelease } from './app-release.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'app-release-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

async function tarball(files: Record<string, string>): Promise<string> {
  const src = join(root, 'src')
  mkdirSync(src, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text)
  const file = join(root, 'release.tgz')
  await create({ gzip: true, file, cwd: src, portable: true }, Object.keys(files))
  return file
}

async function unpackError(files: Record<string, string>, version: string): Promise<string | undefined> {
  const target = join(root, 'out')
  mkdirSync(target, { recursive: true })
  try {
    await unpackRelease(await tarball(files), target, version)
    return undefined
  } catch (err) {
    return isAppError(err) ? `${err.code}: ${err.message}` : String(err)
  }
}

describe('release manifest', () => {
  it('reads version and an optional main that stays inside the release', () => {
    const dir = join(root, 'r')
    mkdirSync(dir)
    writeFileSync(join(dir, 'release.json'), JSON.stringify({ version: '2.0.0', main: 'agent/start.mjs' }))
    expect(readManifest(dir)).toEqual({ version: '2.0.0', main: 'agent/start.mjs' })
    writeFileSync(join(dir, 'release.json'), JSON.stringify({ version: '2.0.0' }))
    expect(readManifest(dir)).toEqual({ version: '2.0.0' })
    for (const main of ['../../bin/sh', '/usr/bin/node', 'a/../../x', '', 7]) {
      writeFileSync(join(dir, 'release.json'), JSON.stringify({ version: '2.0.0', main }))
      expect(readManifest(dir), JSON.stringify(main)).toBeUndefined()
    }
  })

  it('refuses at install a release whose main is missing, escapes it, or whose version differs', async () => {
    const manifest = (m: object) => JSON.stringify({ version: '2.0.0', ...m })
    expect(await unpackError({ 'release.json': manifest({ main: 'start.mjs' }), 'start.mjs': '' }, '2.0.0')).toBe(
      undefined,
    )
    expect(await unpackError({ 'release.json': manifest({ main: 'gone.mjs' }) }, '2.0.0')).toMatch(
      /^ERR_KIOSK_UPDATE_INSTALL_FAILED: release 2.0.0 has no gone.mjs/,
    )
    expect(await unpackError({ 'release.json': manifest({ main: '../escape.mjs' }) }, '2.0.0')).toMatch(
      /^ERR_KIOSK_UPDATE_INSTALL_FAILED: release.json of 2.0.0 is missing or invalid/,
    )
    expect(await unpackError({ 'release.json': manifest({}) }, '2.0.1')).toMatch(/names 2.0.0/)
  })
})

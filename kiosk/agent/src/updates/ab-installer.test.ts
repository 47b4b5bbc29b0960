import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AbInstaller } from './ab-installer.ts'
import { UpdateErrorCodes } from './update-errors.ts'

let root: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ab-installer-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function installer(unpack?: (staged: string, dir: string) => Promise<void>): AbInstaller {
  return new AbInstaller({
    root,
    unpack:
      unpack ??
      (async (staged, dir) => {
        writeFileSync(join(dir, 'VERSION'), readFileSync(staged, 'utf8'))
      }),
  })
}

function stage(version: string): string {
  const path = join(root, `${version}.tar`)
  writeFileSync(path, version)
  return path
}

function runningVersion(): string {
  return readFileSync(join(root, 'current', 'VERSION'), 'utf8')
}

async function installed(ab: AbInstaller, ...versions: string[]): Promise<void> {
  for (const v of versions) {
    await ab.install(v, stage(v))
    ab.switchTo(v)
  }
}

describe('AbInstaller', () => {
  it('starts with no current release', () => {
    expect(installer().currentVersion()).toBeUndefined()
  })

  it('switches current to a new release and keeps the former as previous', async () => {
    const ab = installer()
    await installed(ab, '1.0.0', '1.1.0')
    expect(ab.currentVersion()).toBe('1.1.0')
    expect(ab.previousVersion()).toBe('1.0.0')
    expect(runningVersion()).toBe('1.1.0')
    expect(readlinkSync(join(root, 'current'))).toBe(join('releases', '1.1.0'))
  })

  it('switchTo is idempotent and leaves previous alone when already current', async () => {
    const ab = installer()
    await installed(ab, '1.0.0', '1.1.0')
    ab.switchTo('1.1.0')
    expect(ab.previousVersion()).toBe('1.0.0')
  })

  it('rolls back to previous, repeatably', async () => {
    const ab = installer()
    await installed(ab, '1.0.0', '1.1.0')
    ab.rollback()
    ab.rollback()
    expect(ab.currentVersion()).toBe('1.0.0')
    expect(runningVersion()).toBe('1.0.0')
  })

  it('refuses to switch to a release that is not installed', async () => {
    const ab = installer()
    await installed(ab, '1.0.0')
    expect(() => ab.switchTo('2.0.0')).toThrow(expect.objectContaining({ code: UpdateErrorCodes.releaseMissing }))
    expect(() => installer().rollback()).toThrow(expect.objectContaining({ code: UpdateErrorCodes.releaseMissing }))
    expect(ab.currentVersion()).toBe('1.0.0')
  })

  it('refuses versions that are not safe directory names', () => {
    const ab = installer()
    for (const bad of ['..', '../x', 'a/b', '', '.hidden']) {
      let caught: unknown
      try {
        ab.hasRelease(bad)
      } catch (err) {
        caught = err
      }
      expect(isAppError(caught, UpdateErrorCodes.badVersion)).toBe(true)
    }
  })

  it('a half-unpacked release never gets its name, and install redoes it', async () => {
    const crashing = installer(async (_staged, dir) => {
      writeFileSync(join(dir, 'partial'), 'x')
      throw new Error('power lost')
    })
    await expect(crashing.install('1.0.0', stage('1.0.0'))).rejects.toThrow('power lost')
    expect(crashing.hasRelease('1.0.0')).toBe(false)
    const ab = installer()
    await ab.install('1.0.0', stage('1.0.0'))
    expect(existsSync(join(root, 'releases', '1.0.0', 'partial'))).toBe(false)
    expect(readFileSync(join(root, 'releases', '1.0.0', 'VERSION'), 'utf8')).toBe('1.0.0')
  })

  it('a symlink left at current.tmp by a power loss does not block the next switch', async () => {
    const ab = installer()
    await installed(ab, '1.0.0')
    await ab.install('1.1.0', stage('1.1.0'))
    symlinkSync(join('releases', '1.1.0'), join(root, 'current.tmp'))
    expect(runningVersion()).toBe('1.0.0')
    ab.switchTo('1.1.0')
    expect(runningVersion()).toBe('1.1.0')
    expect(existsSync(join(root, 'current.tmp'))).toBe(false)
  })

  it('garbage-collects all but current and previous, staging leftovers included', async () => {
    const ab = installer()
    await installed(ab, '1.0.0', '1.1.0', '1.2.0')
    mkdirSync(join(root, 'releases', '.staging-1.3.0'))
    expect(ab.gc().sort()).toEqual(['.staging-1.3.0', '1.0.0'])
    expect(existsSync(join(root, 'releases', '1.1.0'))).toBe(true)
    expect(runningVersion()).toBe('1.2.0')
  })
})

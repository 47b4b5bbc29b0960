import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { AppError } from '@drivers/core'
import { UpdateErrorCodes } from './update-errors.ts'

export interface AbInstallerOptions {
  /** Holds `releases/<version>/`, the `current` and `previous` symlinks. */
  root: string
  /** Unpacks a verified artifact into an empty directory. May be interrupted at any point. */
  unpack: (stagedPath: string, targetDir: string) => Promise<void>
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/
const STAGING_PREFIX = '.staging-'

/**
 * App releases A/B: each version lives in `releases/<version>/`; `current` (and `previous`) are
 * relative symlinks replaced by symlink-to-tmp + rename, so after a power loss each points at a
 * complete release, old or new, never at nothing. A release directory only gets its final name once
 * fully unpacked (staging directory + rename).
 */
export class AbInstaller {
  readonly #root: string
  readonly #releases: string
  readonly #unpack: AbInstallerOptions['unpack']

  constructor(options: AbInstallerOptions) {
    this.#root = options.root
    this.#releases = join(options.root, 'releases')
    this.#unpack = options.unpack
    mkdirSync(this.#releases, { recursive: true })
  }

  currentVersion(): string | undefined {
    return this.#target('current')
  }

  previousVersion(): string | undefined {
    return this.#target('previous')
  }

  hasRelease(version: string): boolean {
    checkVersion(version)
    return existsSync(join(this.#releases, version))
  }

  /** Unpacks into `releases/<version>/`; idempotent (a finished release is kept, a partial one redone). */
  async install(version: string, stagedPath: string): Promise<void> {
    if (this.hasRelease(version)) return
    const staging = join(this.#releases, STAGING_PREFIX + version)
    rmSync(staging, { recursive: true, force: true })
    mkdirSync(staging)
    await this.#unpack(stagedPath, staging)
    renameSync(staging, join(this.#releases, version))
    fsyncDir(this.#releases)
  }

  /** Makes `version` current and keeps the former current as `previous`. Idempotent. */
  switchTo(version: string): void {
    this.#requireRelease(version)
    const current = this.currentVersion()
    if (current === version) return
    if (current !== undefined) this.#point('previous', current)
    this.#point('current', version)
  }

  /** Points `current` at `version` without touching `previous`, so it can be repeated safely. */
  rollbackTo(version: string): void {
    this.#requireRelease(version)
    if (this.currentVersion() !== version) this.#point('current', version)
  }

  /** Goes back to the `previous` release. */
  rollback(): void {
    const previous = this.previousVersion()
    if (previous === undefined) {
      throw new AppError(UpdateErrorCodes.releaseMissing, 'there is no previous release to roll back to')
    }
    this.rollbackTo(previous)
  }

  /** Removes every release but current and previous, and any half-unpacked staging directory. */
  gc(): string[] {
    const keep = new Set([this.currentVersion(), this.previousVersion()])
    const removed: string[] = []
    for (const name of readdirSync(this.#releases)) {
      if (keep.has(name)) continue
      rmSync(join(this.#releases, name), { recursive: true, force: true })
      removed.push(name)
    }
    if (removed.length > 0) fsyncDir(this.#releases)
    return removed
  }

  #requireRelease(version: string): void {
    if (!this.hasRelease(version)) {
      throw new AppError(UpdateErrorCodes.releaseMissing, `release ${version} is not installed`, {
        context: { version },
      })
    }
  }

  #target(link: 'current' | 'previous'): string | undefined {
    const path = join(this.#root, link)
    if (!isSymlink(path)) return undefined
    return basename(readlinkSync(path))
  }

  #point(link: 'current' | 'previous', version: string): void {
    const path = join(this.#root, link)
    const tmp = `${path}.tmp`
    rmSync(tmp, { force: true })
    symlinkSync(join('releases', version), tmp)
    renameSync(tmp, path)
    fsyncDir(this.#root)
  }
}

function checkVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new AppError(UpdateErrorCodes.badVersion, `version ${JSON.stringify(version)} is not a safe directory name`)
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return false
    throw err
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

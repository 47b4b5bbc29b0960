import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, normalize, sep } from 'node:path'
import { AppError } from '@drivers/core'
import { extract } from 'tar'
import { UpdateErrorCodes } from './update-errors.ts'

/** `release.json` at the top of every app release tarball. */
export interface ReleaseManifest {
  version: string
  /**
   * The agent's entry point inside the release (e.g. `kiosk/agent/bin/kiosk-agent.mjs`), which the
   * launcher runs. Without it the launcher runs the image's own agent: a release of UI and data only.
   */
  main?: string
}

/** A relative path that stays inside the release directory. */
function isInsideRelease(path: string): boolean {
  return path !== '' && !isAbsolute(path) && !normalize(path).split(sep).includes('..')
}

/**
 * Unpacks a verified release tarball (gzip or plain tar) into `targetDir` with the `tar` package:
 * absolute paths and `..` are stripped, links may not point outside. The release must carry a
 * `release.json` naming the version it was signed as.
 */
export async function unpackRelease(stagedPath: string, targetDir: string, version: string): Promise<void> {
  try {
    await extract({ file: stagedPath, cwd: targetDir, strict: true, preserveOwner: false })
  } catch (err) {
    throw new AppError(UpdateErrorCodes.installFailed, `release ${version} does not unpack: ${String(err)}`, {
      cause: err,
    })
  }
  const manifest = readManifest(targetDir)
  if (manifest?.version !== version) {
    throw new AppError(
      UpdateErrorCodes.installFailed,
      `release.json of ${version} ${manifest === undefined ? 'is missing or invalid' : `names ${manifest.version}`}`,
    )
  }
  if (manifest.main !== undefined && !existsSync(join(targetDir, manifest.main))) {
    throw new AppError(UpdateErrorCodes.installFailed, `release ${version} has no ${manifest.main} to run`)
  }
}

export function readManifest(releaseDir: string): ReleaseManifest | undefined {
  const file = join(releaseDir, 'release.json')
  if (!existsSync(file)) return undefined
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; main?: unknown }
    if (typeof value.version !== 'string') return undefined
    if (value.main === undefined) return { version: value.version }
    // A main that is not a path inside the release makes the whole manifest unusable.
    return typeof value.main === 'string' && isInsideRelease(value.main)
      ? { version: value.version, main: value.main }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The app version this kiosk runs: the `release.json` of the release `current` points at, else the
 * configured `appVersion` (a kiosk that never installed a release). Birth and `ping` report it.
 */
export function effectiveAppVersion(releasesDir: string, fallback: string): string {
  return readManifest(join(releasesDir, 'current'))?.version ?? fallback
}

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '@drivers/core'
import { extract } from 'tar'
import { UpdateErrorCodes } from './update-errors.ts'

/** `release.json` at the top of every app release tarball. */
export interface ReleaseManifest {
  version: string
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
      `release.json of ${version} names ${manifest === undefined ? 'nothing' : manifest.version}`,
    )
  }
}

export function readManifest(releaseDir: string): ReleaseManifest | undefined {
  const file = join(releaseDir, 'release.json')
  if (!existsSync(file)) return undefined
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }
    return typeof value.version === 'string' ? { version: value.version } : undefined
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

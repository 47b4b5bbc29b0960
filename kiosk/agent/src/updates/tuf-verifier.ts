import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Updater } from 'tuf-js'
import { classifyTufError, TufErrorCodes, type TufFailure } from './tuf-errors.ts'
import { UpdateChannelFetcher } from './tuf-fetcher.ts'
import { unpublishedRolesFor } from './unpublished-roles.ts'

export type TufResult<T> = { ok: true; value: T } | { ok: false; error: TufFailure }

export interface TufVerifierOptions {
  /** Where the fleet publishes metadata, e.g. `https://fleet.example/updates/metadata/`. */
  metadataBaseUrl: string
  /** Where target blobs live, e.g. `https://fleet.example/updates/targets/`. */
  targetBaseUrl: string
  /** Trusted metadata, outside anything an update payload can write. */
  metadataDir: string
  /** Where verified downloads land. */
  targetDir: string
  /** The root.json shipped with the kiosk image: the trust anchor on first use. */
  trustedRootFile: string
  /** The update channel's fetch (its HTTPS trust, update-channel-fetch.ts); node's by default. */
  fetch?: typeof fetch
}

export interface FreshMetadata {
  timestampVersion: number
  /** When the timestamp expires; after this the kiosk installs nothing until it refreshes again. */
  timestampExpires: string
}

export interface VerifiedTarget extends FreshMetadata {
  path: string
  file: string
  length: number
  sha256: string
  custom: Record<string, unknown>
}

/** A target as verified metadata lists it: where to fetch it and what its bytes must be. */
export interface TrustedTarget extends FreshMetadata {
  path: string
  url: string
  length: number
  sha256: string
  custom: Record<string, unknown>
}

/**
 * A thin wrapper over tuf-js: every call starts a new Updater and refreshes root → timestamp →
 * snapshot → targets from the fleet, so nothing is installed on metadata that was not fresh a moment
 * ago. Expected verification failures come back as `{ok: false, error: {code}}`, never thrown.
 */
export class TufVerifier {
  readonly #fetcher: UpdateChannelFetcher

  constructor(private readonly options: TufVerifierOptions) {
    this.#fetcher = new UpdateChannelFetcher({ fetch: options.fetch ?? fetch })
  }

  async refresh(): Promise<TufResult<FreshMetadata>> {
    const updater = await this.updater()
    if (!updater.ok) return updater
    try {
      await updater.value.refresh()
    } catch (error) {
      return { ok: false, error: classifyTufError(error, 'metadata') }
    }
    return this.freshness()
  }

  /**
   * Refreshes metadata and returns what the verified targets metadata says about `path` (length,
   * sha256, custom fields) and the URL to fetch it from (hash-prefixed under consistent snapshots),
   * without downloading: the caller downloads with resume (target-downloader.ts) and checks the bytes.
   */
  async targetInfo(path: string): Promise<TufResult<TrustedTarget>> {
    const found = await this.refreshedTarget(path)
    if (!found.ok) return found
    const { info } = found.value
    const sha256 = info.hashes.sha256
    if (sha256 === undefined) {
      return { ok: false, error: { code: TufErrorCodes.metadataInvalid, message: `${path} has no sha256 in TUF` } }
    }
    const fresh = await this.freshness()
    if (!fresh.ok) return fresh
    let consistent = false
    try {
      const root = JSON.parse(await readFile(join(this.options.metadataDir, 'root.json'), 'utf8')) as {
        signed?: { consistent_snapshot?: unknown }
      }
      consistent = root.signed?.consistent_snapshot === true
    } catch (error) {
      return { ok: false, error: classifyTufError(error, 'metadata') }
    }
    const slash = path.lastIndexOf('/')
    const remote = consistent ? `${path.slice(0, slash + 1)}${sha256}.${path.slice(slash + 1)}` : path
    const base = this.options.targetBaseUrl.endsWith('/')
      ? this.options.targetBaseUrl
      : `${this.options.targetBaseUrl}/`
    return {
      ok: true,
      value: {
        ...fresh.value,
        path,
        url: new URL(remote.split('/').map(encodeURIComponent).join('/'), base).toString(),
        length: info.length,
        sha256,
        custom: (info.custom ?? {}) as Record<string, unknown>,
      },
    }
  }

  /**
   * The freshness of the metadata trusted on disk, without contacting the fleet: whether the kiosk
   * may install (the timestamp has not expired).
   */
  async trusted(): Promise<TufResult<FreshMetadata>> {
    return this.freshness()
  }

  /** Refreshes metadata, then downloads `path` and checks its length and hashes against it. */
  async fetchTarget(path: string): Promise<TufResult<VerifiedTarget>> {
    const found = await this.refreshedTarget(path)
    if (!found.ok) return found
    const { updater, info } = found.value
    let file: string
    try {
      await mkdir(this.options.targetDir, { recursive: true })
      file = await updater.downloadTarget(info)
    } catch (error) {
      return { ok: false, error: classifyTufError(error, 'target') }
    }
    const fresh = await this.freshness()
    if (!fresh.ok) return fresh
    const sha256 =
      info.hashes.sha256 ??
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex')
    return { ok: true, value: { ...fresh.value, path, file, length: info.length, sha256, custom: info.custom } }
  }

  /** Refreshes root → timestamp → snapshot → targets, then looks `path` up in the verified targets. */
  private async refreshedTarget(
    path: string,
  ): Promise<TufResult<{ updater: Updater; info: NonNullable<Awaited<ReturnType<Updater['getTargetInfo']>>> }>> {
    const updater = await this.updater()
    if (!updater.ok) return updater
    let info: Awaited<ReturnType<Updater['getTargetInfo']>>
    try {
      await updater.value.refresh()
    } catch (error) {
      return { ok: false, error: classifyTufError(error, 'metadata') }
    }
    try {
      info = await updater.value.getTargetInfo(path)
    } catch (error) {
      const unpublished = await unpublishedRolesFor(this.options.metadataDir, path).catch(() => [])
      if (unpublished.length > 0) {
        const message = `no trusted role lists ${path}: ${unpublished.join(', ')} has published nothing yet`
        return { ok: false, error: { code: TufErrorCodes.targetNotFound, message } }
      }
      return { ok: false, error: classifyTufError(error, 'metadata') }
    }
    if (info === undefined) {
      return { ok: false, error: { code: TufErrorCodes.targetNotFound, message: `no trusted role lists ${path}` } }
    }
    return { ok: true, value: { updater: updater.value, info } }
  }

  private async updater(): Promise<TufResult<Updater>> {
    const { metadataDir, trustedRootFile } = this.options
    try {
      await mkdir(metadataDir, { recursive: true })
      // Only the first time: later roots come from the fleet, verified by the one trusted before.
      await copyFile(trustedRootFile, join(metadataDir, 'root.json'), 1 /* COPYFILE_EXCL */).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error
      })
      return {
        ok: true,
        value: new Updater({
          metadataBaseUrl: this.options.metadataBaseUrl,
          targetBaseUrl: this.options.targetBaseUrl,
          metadataDir,
          targetDir: this.options.targetDir,
          fetcher: this.#fetcher,
        }),
      }
    } catch (error) {
      return {
        ok: false,
        error: {
          code: TufErrorCodes.trustedRootMissing,
          message: `no usable trusted root in ${metadataDir}: ${error instanceof Error ? error.message : String(error)}`,
        },
      }
    }
  }

  private async freshness(): Promise<TufResult<FreshMetadata>> {
    try {
      const json = JSON.parse(await readFile(join(this.options.metadataDir, 'timestamp.json'), 'utf8')) as {
        signed?: { version?: unknown; expires?: unknown }
      }
      const version = json.signed?.version
      const expires = json.signed?.expires
      if (typeof version !== 'number' || typeof expires !== 'string') throw new Error('timestamp.json malformed')
      return { ok: true, value: { timestampVersion: version, timestampExpires: expires } }
    } catch (error) {
      return { ok: false, error: classifyTufError(error, 'metadata') }
    }
  }
}

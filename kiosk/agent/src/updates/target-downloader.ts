import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Readable } from 'node:stream'
import { AppError } from '@drivers/core'
import { TufErrorCodes } from './tuf-errors.ts'
import { UpdateErrorCodes } from './update-errors.ts'

/** What verified TUF metadata says about the file: the download is checked against exactly this. */
export interface ExpectedTarget {
  url: string
  length: number
  sha256: string
}

export interface DownloadOptions {
  /** `fetch` (node's by default); tests pass one bound to their server, never a mock. */
  fetch?: typeof fetch
  /** Where the finished, checked file is moved; the partial download lives at `${destination}.part`. */
  destination: string
  /** Called with the fraction downloaded, at most every `progressStep` (fraction) or `progressEveryMs`. */
  onProgress?: (fraction: number) => void
  progressStep?: number
  progressEveryMs?: number
  now?: () => number
  signal?: AbortSignal
}

/**
 * Downloads `target` to `${destination}.part`, continuing from the part's size with an HTTP `Range`
 * request (a server answering 200 instead of 206 restarts it from byte 0), then checks length and
 * sha256 against the trusted metadata before renaming it to `destination`. A part file survives a
 * power loss or a broken connection; a finished file that does not match is deleted, so the next try
 * starts clean. Throws AppError ERR_KIOSK_UPDATE_DOWNLOAD_FAILED (network, HTTP) or
 * ERR_KIOSK_UPDATE_TARGET_MISMATCH (bytes differ from the metadata).
 */
export async function downloadTarget(target: ExpectedTarget, options: DownloadOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch
  const now = options.now ?? Date.now
  const part = `${options.destination}.part`
  await mkdir(dirname(options.destination), { recursive: true })
  if (await matches(options.destination, target)) return options.destination

  let offset = Math.max(0, await sizeOf(part))
  if (offset > target.length) {
    await rm(part, { force: true })
    offset = 0
  }
  const step = options.progressStep ?? 0.1
  const everyMs = options.progressEveryMs ?? 2000
  let lastFraction = 0
  let lastAt = now()
  const progress = (bytes: number, force = false) => {
    if (options.onProgress === undefined || target.length === 0) return
    const fraction = bytes / target.length
    const t = now()
    if (force || fraction - lastFraction >= step || t - lastAt >= everyMs) {
      lastFraction = fraction
      lastAt = t
      options.onProgress(fraction)
    }
  }

  if (offset < target.length) {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {}
    let response: Response
    try {
      response = await doFetch(target.url, { headers, ...(options.signal ? { signal: options.signal } : {}) })
    } catch (err) {
      throw downloadFailed(`fetching ${target.url} failed: ${messageOf(err)}`, err)
    }
    if (offset > 0 && response.status === 200) {
      // The server ignored Range: the body is the whole file, so the part starts over.
      offset = 0
      await truncate(part, 0).catch(() => undefined)
    } else if (offset > 0 && response.status === 416) {
      await response.body?.cancel()
      await rm(part, { force: true })
      throw downloadFailed(`${target.url}: range ${offset}- not satisfiable; the partial download was dropped`)
    } else if (response.status !== (offset > 0 ? 206 : 200)) {
      await response.body?.cancel()
      throw downloadFailed(`${target.url} answered HTTP ${response.status}`)
    }
    if (response.body === null) throw downloadFailed(`${target.url} sent no body`)
    const file = await open(part, offset > 0 ? 'a' : 'w')
    let written = offset
    if (offset > 0) progress(written, true)
    try {
      for await (const chunk of Readable.fromWeb(response.body as never) as AsyncIterable<Uint8Array>) {
        if (written + chunk.byteLength > target.length) {
          throw new AppError(
            TufErrorCodes.targetMismatch,
            `${target.url} sent more than the ${target.length} bytes the metadata lists`,
          )
        }
        await file.write(chunk)
        written += chunk.byteLength
        progress(written)
      }
      await file.sync()
    } catch (err) {
      if (err instanceof AppError) throw err
      throw downloadFailed(`download of ${target.url} broke off at byte ${written}: ${messageOf(err)}`, err)
    } finally {
      await file.close()
    }
    if (lastFraction < 1) progress(written, true)
  }

  if (!(await matches(part, target))) {
    await rm(part, { force: true })
    throw new AppError(TufErrorCodes.targetMismatch, `${target.url} does not match its length and sha256 in TUF`, {
      context: { url: target.url, length: target.length },
    })
  }
  await rename(part, options.destination)
  return options.destination
}

/** Whether the file at `path` has exactly the trusted length and sha256. */
export async function matches(path: string, target: { length: number; sha256: string }): Promise<boolean> {
  if ((await sizeOf(path)) !== target.length) return false
  return (await sha256Of(path)) === target.sha256.toLowerCase()
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return -1
    throw err
  }
}

function downloadFailed(message: string, cause?: unknown): AppError {
  return new AppError(UpdateErrorCodes.downloadFailed, message, cause === undefined ? {} : { cause })
}

function messageOf(err: unknown): string {
  return err instanceof Error
    ? err.cause instanceof Error
      ? `${err.message} (${err.cause.message})`
      : err.message
    : String(err)
}

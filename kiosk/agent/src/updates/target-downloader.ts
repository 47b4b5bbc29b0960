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
  /** Limits of one attempt (a stalled village link, or TUF's slow-retrieval attack); none by default. */
  limits?: DownloadLimits
}

/**
 * What one download attempt may take. Each breach aborts the attempt with its own code and keeps the
 * part file, so the next attempt resumes with `Range` where this one stopped.
 */
export interface DownloadLimits {
  /** No byte for this long: ERR_KIOSK_UPDATE_DOWNLOAD_STALLED. */
  stallMs?: number
  /** Fewer than this many bytes per second over `rateWindowMs`: ERR_KIOSK_UPDATE_DOWNLOAD_TOO_SLOW. */
  minBytesPerSecond?: number
  rateWindowMs?: number
  /** The whole attempt took longer: ERR_KIOSK_UPDATE_DOWNLOAD_DEADLINE. */
  deadlineMs?: number
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
    const watchdog = new Watchdog(options.limits ?? {}, now, options.signal, target.url)
    let response: Response
    try {
      response = await doFetch(target.url, { headers, signal: watchdog.signal })
    } catch (err) {
      watchdog.stop()
      throw watchdog.breach(offset) ?? downloadFailed(`fetching ${target.url} failed: ${messageOf(err)}`, err)
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
    if (response.body === null) {
      watchdog.stop()
      throw downloadFailed(`${target.url} sent no body`)
    }
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
        watchdog.received(chunk.byteLength)
        progress(written)
      }
      await file.sync()
    } catch (err) {
      if (err instanceof AppError) throw err
      throw (
        watchdog.breach(written) ??
        downloadFailed(`download of ${target.url} broke off at byte ${written}: ${messageOf(err)}`, err)
      )
    } finally {
      watchdog.stop()
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

type Breach = 'stalled' | 'tooSlow' | 'deadline'
const BREACH_CODE: Record<Breach, string> = {
  stalled: UpdateErrorCodes.downloadStalled,
  tooSlow: UpdateErrorCodes.downloadTooSlow,
  deadline: UpdateErrorCodes.downloadDeadline,
}

/**
 * Watches one attempt: aborts the fetch when no byte came for `stallMs`, when fewer than
 * `minBytesPerSecond` arrived over the last `rateWindowMs`, or past `deadlineMs`; the caller's own
 * signal (cancel) aborts it too. The breach is kept to report its code.
 */
class Watchdog {
  readonly #controller = new AbortController()
  readonly #timer: ReturnType<typeof setInterval> | undefined
  readonly #startedAt: number
  #lastByteAt: number
  /** Bytes per tick over the rate window, newest last. */
  readonly #window: { at: number; bytes: number }[] = []
  #breach: Breach | undefined
  #detail = ''

  constructor(
    private readonly limits: DownloadLimits,
    private readonly now: () => number,
    outer: AbortSignal | undefined,
    private readonly url: string,
  ) {
    this.#startedAt = now()
    this.#lastByteAt = this.#startedAt
    if (outer !== undefined) {
      if (outer.aborted) this.#controller.abort(outer.reason)
      else outer.addEventListener('abort', () => this.#controller.abort(outer.reason), { once: true })
    }
    const periods = [limits.stallMs, limits.rateWindowMs, limits.deadlineMs].filter(
      (n): n is number => n !== undefined && n > 0,
    )
    if (periods.length > 0) {
      this.#timer = setInterval(() => this.#check(), Math.max(10, Math.min(...periods) / 4))
      this.#timer.unref?.()
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  received(bytes: number): void {
    const at = this.now()
    this.#lastByteAt = at
    this.#window.push({ at, bytes })
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** The limit that ended the attempt, as the error to report; undefined when none did. */
  breach(written: number): AppError | undefined {
    if (this.#breach === undefined) return undefined
    return new AppError(
      BREACH_CODE[this.#breach],
      `download of ${this.url} ${this.#detail} (stopped at byte ${written}; the next attempt resumes there)`,
      { context: { url: this.url, written, limit: this.#breach } },
    )
  }

  #check(): void {
    const t = this.now()
    const { stallMs, minBytesPerSecond, rateWindowMs, deadlineMs } = this.limits
    if (deadlineMs !== undefined && t - this.#startedAt >= deadlineMs) {
      this.#abort('deadline', `took longer than its deadline of ${deadlineMs} ms`)
    } else if (stallMs !== undefined && t - this.#lastByteAt >= stallMs) {
      this.#abort('stalled', `stalled: no byte for ${t - this.#lastByteAt} ms`)
    } else if (minBytesPerSecond !== undefined && rateWindowMs !== undefined && t - this.#startedAt >= rateWindowMs) {
      while (this.#window.length > 0 && (this.#window[0]?.at ?? t) < t - rateWindowMs) this.#window.shift()
      const bytes = this.#window.reduce((n, w) => n + w.bytes, 0)
      const rate = (bytes * 1000) / rateWindowMs
      if (rate < minBytesPerSecond) {
        this.#abort(
          'tooSlow',
          `too slow: ${rate.toFixed(1)} B/s over ${rateWindowMs} ms, below ${minBytesPerSecond} B/s`,
        )
      }
    }
  }

  #abort(breach: Breach, detail: string): void {
    if (this.#breach !== undefined) return
    this.#breach = breach
    this.#detail = detail
    this.stop()
    this.#controller.abort(new Error(detail))
  }
}

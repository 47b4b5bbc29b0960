import { Readable } from 'node:stream'
import { BaseFetcher } from 'tuf-js'
// tuf-js exports BaseFetcher but not its errors, and its Updater tells "no newer root" (a 404 on
// N.root.json) from a failure by `instanceof DownloadHTTPError`: a fetcher must throw that very class.
import { DownloadError, DownloadHTTPError } from 'tuf-js/dist/error.js'

export interface UpdateChannelFetcherOptions {
  /** The update channel's fetch (update-channel-fetch.ts): the same one the target downloads use. */
  fetch: typeof fetch
  /** One file, headers and body, must arrive within this; tuf-js's own default is 100 s. */
  timeoutMs?: number
}

/**
 * tuf-js's fetcher over the update channel's `fetch`, so metadata is fetched with the trust settings
 * the downloads use (tuf-js's default fetcher, make-fetch-happen, knows only the system's CAs). Every
 * failure is a tuf-js DownloadError whose message starts "Failed to download" and carries the cause
 * (a refused connection, a certificate the CA did not sign), which tuf-errors.ts reports as
 * ERR_KIOSK_UPDATE_UNREACHABLE.
 */
export class UpdateChannelFetcher extends BaseFetcher {
  readonly #fetch: typeof fetch
  readonly #timeoutMs: number

  constructor(options: UpdateChannelFetcherOptions) {
    super()
    this.#fetch = options.fetch
    this.#timeoutMs = options.timeoutMs ?? 100_000
  }

  override async fetch(url: string): Promise<NodeJS.ReadableStream> {
    let response: Response
    try {
      response = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (err) {
      throw new DownloadError(`Failed to download ${url}: ${messageOf(err)}`)
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel()
      throw new DownloadHTTPError(`Failed to download ${url}: HTTP ${response.status}`, response.status)
    }
    const body = Readable.fromWeb(response.body as never)
    return Readable.from(rethrownAsDownloadError(body, url))
  }
}

/** The body's chunks; a connection that breaks (or times out) mid-body is a DownloadError too. */
async function* rethrownAsDownloadError(body: Readable, url: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer
  } catch (err) {
    throw new DownloadError(`Failed to download ${url}: ${messageOf(err)}`)
  }
}

function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message
}

import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { downloadTarget } from './target-downloader.ts'

const BYTES = new Uint8Array(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 251))
const SHA = createHash('sha256').update(BYTES).digest('hex')

interface Served {
  url: string
  ranges: (string | undefined)[]
  cutAfter?: number
  ignoreRange?: boolean
  /** Sends `first` bytes, then one byte every `everyMs` (a stalled village link, or slow retrieval). */
  trickle?: { first: number; everyMs: number }
  /** Sends this many bytes, then nothing more, keeping the connection open. */
  hangAfter?: number
  body: Uint8Array
}

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A real HTTP server with Range support that can cut a response after N bytes or ignore Range. */
async function serve(): Promise<Served> {
  const served: Served = { url: '', ranges: [], body: BYTES }
  const server: Server = createServer((req, res) => {
    served.ranges.push(req.headers.range)
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    const start = m && !served.ignoreRange ? Number(m[1]) : 0
    const body = served.body.subarray(start)
    res.writeHead(start > 0 ? 206 : 200, { 'content-length': body.byteLength })
    if (served.trickle !== undefined) {
      const { first, everyMs } = served.trickle
      let at = first
      res.write(body.subarray(0, first))
      const timer = setInterval(() => {
        if (at >= body.byteLength || res.destroyed) return clearInterval(timer)
        res.write(body.subarray(at, at + 1))
        at += 1
      }, everyMs)
      res.on('close', () => clearInterval(timer))
      return
    }
    if (served.hangAfter !== undefined) {
      res.write(body.subarray(0, served.hangAfter))
      return
    }
    if (served.cutAfter !== undefined) {
      const n = served.cutAfter
      served.cutAfter = undefined
      // Destroyed a moment after the bytes were flushed, so the client has them: a connection lost mid-file.
      res.write(body.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 100))
      return
    }
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  served.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/fw.bin`
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return served
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('downloadTarget', () => {
  it('resumes a broken download with Range from the part file and checks the sha256', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    served.cutAfter = 40_000
    const target = { url: served.url, length: BYTES.byteLength, sha256: SHA }
    await expect(downloadTarget(target, { destination })).rejects.toMatchObject({
      code: 'ERR_KIOSK_UPDATE_DOWNLOAD_FAILED',
    })
    const kept = statSync(`${destination}.part`).size
    expect(kept).toBeGreaterThan(0)
    const progress: number[] = []
    await downloadTarget(target, { destination, onProgress: (f) => progress.push(f) })
    expect(served.ranges).toEqual([undefined, `bytes=${kept}-`])
    expect(new Uint8Array(readFileSync(destination))).toEqual(BYTES)
    expect(progress.at(-1)).toBe(1)
    expect(progress.length).toBeLessThanOrEqual(13)
  })

  it('starts over when the server ignores Range and answers 200', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    writeFileSync(`${destination}.part`, BYTES.subarray(0, 1000))
    served.ignoreRange = true
    await downloadTarget({ url: served.url, length: BYTES.byteLength, sha256: SHA }, { destination })
    expect(served.ranges).toEqual(['bytes=1000-'])
    expect(new Uint8Array(readFileSync(destination))).toEqual(BYTES)
  })

  it('rejects bytes that do not match the trusted sha256 and drops them', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    const tampered = Uint8Array.from(BYTES)
    tampered[10] = (tampered[10] ?? 0) ^ 1
    served.body = tampered
    await expect(
      downloadTarget({ url: served.url, length: BYTES.byteLength, sha256: SHA }, { destination }),
    ).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_TARGET_MISMATCH' })
    expect(() => statSync(`${destination}.part`)).toThrow()
    expect(() => statSync(destination)).toThrow()
  })

  it('refuses a body longer than the metadata lists', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    await expect(downloadTarget({ url: served.url, length: 10, sha256: SHA }, { destination })).rejects.toMatchObject({
      code: 'ERR_KIOSK_UPDATE_TARGET_MISMATCH',
    })
  })

  it('answers HTTP errors with the download code', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    await expect(
      downloadTarget(
        { url: served.url.replace('127.0.0.1:', '127.0.0.1:1'), length: 10, sha256: SHA },
        { destination },
      ),
    ).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_DOWNLOAD_FAILED' })
  })

  it('stops a download fed one byte at a time with a clear code, then resumes it from the part file', async () => {
    const served = await serve()
    const destination = join(tempDir(), 'fw.bin')
    served.trickle = { first: 30_000, everyMs: 200 }
    const target = { url: served.url, length: BYTES.byteLength, sha256: SHA }
    const limits = { minBytesPerSecond: 1000, rateWindowMs: 1000, stallMs: 5000 }
    await expect(downloadTarget(target, { destination, limits })).rejects.toMatchObject({
      code: 'ERR_KIOSK_UPDATE_DOWNLOAD_TOO_SLOW',
      message: expect.stringMatching(/too slow: .* B\/s .*the next attempt resumes there/),
    })
    const kept = statSync(`${destination}.part`).size
    expect(kept).toBeGreaterThanOrEqual(30_000)
    // The link recovers: the next attempt asks only for the rest and checks the whole file.
    served.trickle = undefined
    await downloadTarget(target, { destination, limits })
    expect(served.ranges).toEqual([undefined, `bytes=${kept}-`])
    expect(new Uint8Array(readFileSync(destination))).toEqual(BYTES)
  })

  it('stops a download that stalls, and one past its deadline, each with its own code', async () => {
    const served = await serve()
    const target = { url: served.url, length: BYTES.byteLength, sha256: SHA }
    served.hangAfter = 500
    await expect(
      downloadTarget(target, { destination: join(tempDir(), 'fw.bin'), limits: { stallMs: 300 } }),
    ).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_DOWNLOAD_STALLED' })
    served.hangAfter = undefined
    served.trickle = { first: 10, everyMs: 20 }
    await expect(
      downloadTarget(target, { destination: join(tempDir(), 'fw.bin'), limits: { deadlineMs: 400 } }),
    ).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_DOWNLOAD_DEADLINE' })
  })

  it('still stops on cancel when limits are set', async () => {
    const served = await serve()
    served.hangAfter = 100
    const cancel = new AbortController()
    const running = downloadTarget(
      { url: served.url, length: BYTES.byteLength, sha256: SHA },
      { destination: join(tempDir(), 'fw.bin'), limits: { stallMs: 60_000 }, signal: cancel.signal },
    )
    setTimeout(() => cancel.abort(), 50)
    await expect(running).rejects.toMatchObject({ code: 'ERR_KIOSK_UPDATE_DOWNLOAD_FAILED' })
  })
})

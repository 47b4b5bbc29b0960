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
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
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
})

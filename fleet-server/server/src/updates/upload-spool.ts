import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

const UPLOAD_ID = /^upl_[0-9a-f]{32}$/

export interface AppendOutcome {
  /** Bytes appended and flushed to disk. */
  written: number
  /** The client went away (or the body failed) before sending everything it announced. */
  interrupted: boolean
  /** The body carried more bytes than the upload has left; the excess was refused. */
  overflow: boolean
}

/**
 * Spool files of resumable uploads, `<dir>/uploads/<upload id>.part`. Bytes are appended at the
 * acknowledged offset (anything beyond it, e.g. from a crash before the offset was recorded, is cut
 * off first) and fsynced before the new offset is acknowledged, so an acknowledged byte survives a crash.
 */
export class UploadSpool {
  readonly dir: string

  constructor(root: string) {
    this.dir = join(root, 'uploads')
  }

  fileOf(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`bad upload id: ${uploadId}`)
    return join(this.dir, `${uploadId}.part`)
  }

  async append(uploadId: string, offset: number, maxBytes: number, body: Readable): Promise<AppendOutcome> {
    await mkdir(this.dir, { recursive: true })
    const file = this.fileOf(uploadId)
    const handle = await open(file, 'a+', 0o600)
    let written = 0
    let interrupted = false
    let overflow = false
    try {
      await handle.truncate(offset)
      try {
        for await (const chunk of body) {
          const bytes = chunk as Buffer
          const room = maxBytes - written
          const part = bytes.byteLength > room ? bytes.subarray(0, room) : bytes
          if (part.byteLength > 0) {
            await handle.write(part, 0, part.byteLength, offset + written)
            written += part.byteLength
          }
          if (bytes.byteLength > room) {
            overflow = true
            break
          }
        }
      } catch {
        interrupted = true
      }
      if (!overflow && !interrupted && body.readableAborted) interrupted = true
      await handle.sync()
    } finally {
      await handle.close()
    }
    return { written, interrupted, overflow }
  }

  async size(uploadId: string): Promise<number> {
    try {
      return (await stat(this.fileOf(uploadId))).size
    } catch {
      return 0
    }
  }

  async sha256(uploadId: string, length: number): Promise<string> {
    const hash = createHash('sha256')
    if (length === 0) return hash.digest('hex')
    for await (const chunk of createReadStream(this.fileOf(uploadId), { start: 0, end: length - 1 })) {
      hash.update(chunk as Buffer)
    }
    return hash.digest('hex')
  }

  async read(uploadId: string, length: number): Promise<Buffer> {
    const bytes = await readFile(this.fileOf(uploadId))
    return bytes.subarray(0, length)
  }

  async remove(uploadId: string): Promise<void> {
    await rm(this.fileOf(uploadId), { force: true })
  }
}

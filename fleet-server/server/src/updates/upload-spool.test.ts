import { createHash } from 'node:crypto'
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { UploadSpool } from './upload-spool.ts'

const ID = `upl_${'ab'.repeat(16)}`
const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})
async function spool(): Promise<UploadSpool> {
  const dir = await mkdtemp(join(tmpdir(), 'spool-'))
  dirs.push(dir)
  return new UploadSpool(dir)
}

describe('UploadSpool', () => {
  it('appends at the acknowledged offset, cutting off bytes written past it before a crash', async () => {
    const s = await spool()
    expect(await s.append(ID, 0, 10, Readable.from([Buffer.from('hello')]))).toEqual({
      written: 5,
      interrupted: false,
      overflow: false,
    })
    // A crash after writing but before the offset was recorded leaves unacknowledged bytes behind.
    await appendFile(s.fileOf(ID), 'GARBAGE')
    await s.append(ID, 5, 5, Readable.from([Buffer.from('world')]))
    expect(await readFile(s.fileOf(ID), 'utf8')).toBe('helloworld')
    expect(await s.sha256(ID, 10)).toBe(createHash('sha256').update('helloworld').digest('hex'))
  })

  it('keeps what arrived from a body that breaks off, and refuses bytes past the announced length', async () => {
    const s = await spool()
    async function* brokenBody() {
      yield Buffer.from('partial')
      throw new Error('socket hang up')
    }
    expect(await s.append(ID, 0, 100, Readable.from(brokenBody()))).toEqual({
      written: 7,
      interrupted: true,
      overflow: false,
    })
    const over = await s.append(ID, 7, 3, Readable.from([Buffer.from('abcdef')]))
    expect(over).toEqual({ written: 3, interrupted: false, overflow: true })
    expect(await readFile(s.fileOf(ID), 'utf8')).toBe('partialabc')
  })

  it('refuses ids that are not upload ids', async () => {
    const s = await spool()
    expect(() => s.fileOf('../../etc/passwd')).toThrow(/bad upload id/)
  })
})

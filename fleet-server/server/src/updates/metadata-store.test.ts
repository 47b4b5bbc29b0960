import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DirectoryMetadataStore, MemoryMetadataStore } from './metadata-store.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('metadata stores', () => {
  it('DirectoryMetadataStore lays out metadata/ and targets/ for a static HTTP server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuf-store-'))
    dirs.push(dir)
    const store = new DirectoryMetadataStore(dir)
    expect(await store.readMetadata('timestamp.json')).toBeUndefined()
    await store.writeMetadata('2.snapshot.json', '{"a":1}')
    await store.writeTarget('firmware/acme/r1/abc.fw.bin', new Uint8Array([1, 2]))
    expect(await store.readMetadata('2.snapshot.json')).toBe('{"a":1}')
    expect(await readFile(join(dir, 'metadata', '2.snapshot.json'), 'utf8')).toBe('{"a":1}')
    expect(new Uint8Array(await readFile(join(dir, 'targets', 'firmware', 'acme', 'r1', 'abc.fw.bin')))).toEqual(
      new Uint8Array([1, 2]),
    )
    expect(await store.readTarget('firmware/acme/r1/missing.bin')).toBeUndefined()
  })

  it('refuses names and paths that would leave the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuf-store-'))
    dirs.push(dir)
    for (const store of [new DirectoryMetadataStore(dir), new MemoryMetadataStore()]) {
      await expect(store.writeMetadata('../root.json', '{}')).rejects.toThrow(/unsafe/)
      await expect(store.writeMetadata('root.txt', '{}')).rejects.toThrow(/unsafe/)
      await expect(store.writeTarget('../../etc/passwd', new Uint8Array())).rejects.toThrow(/unsafe/)
      await expect(store.writeTarget('firmware//x.bin', new Uint8Array())).rejects.toThrow(/unsafe/)
    }
  })
})

import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { appReleaseProblems, checkKfw1, firmwareProblems } from './artifact-content.ts'

/** A KFW1 image built byte by byte as the format table in artifact-content.ts says. */
function kfw1(model: string, version: string, payload: Uint8Array): Uint8Array {
  const len = Buffer.alloc(4)
  len.writeUInt32LE(payload.length)
  const body = Buffer.concat([
    Buffer.from('KFW1'),
    Buffer.from([model.length]),
    Buffer.from(model),
    Buffer.from([version.length]),
    Buffer.from(version),
    len,
    payload,
  ])
  return new Uint8Array(Buffer.concat([body, createHash('sha256').update(body).digest()]))
}

/** A one-entry ustar archive (512-byte header, content padded to 512, two zero blocks). */
function tarOf(files: Record<string, string>): Uint8Array {
  const blocks: Buffer[] = []
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text)
    const header = Buffer.alloc(512)
    header.write(name, 0)
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const b of header) sum += b
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return new Uint8Array(Buffer.concat(blocks))
}

describe('firmware image formats', () => {
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)
  it('accepts a KFW1 image of the right model and version, padding after it included', () => {
    const image = kfw1('xprinter-xp-t58h', '2.1', payload)
    expect(checkKfw1(image, { model: 'xprinter-xp-t58h', version: '2.1' })).toEqual([])
    expect(checkKfw1(Uint8Array.of(...image, 0x1a, 0x1a), { model: 'xprinter-xp-t58h', version: '2.1' })).toEqual([])
  })
  it('refuses random bytes, truncation, a damaged image and another model or version, saying why', () => {
    const expect2 = { model: 'xprinter-xp-t58h', version: '2.1' }
    const random = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2_654_435_761) >>> 24)
    expect(checkKfw1(random, expect2)).toEqual(['not a KFW1 image: no KFW1 magic at the start'])
    const image = kfw1('xprinter-xp-t58h', '2.1', payload)
    expect(checkKfw1(image.subarray(0, 500), expect2)[0]).toMatch(/truncated/)
    const damaged = Uint8Array.from(image)
    damaged[100] = (damaged[100] ?? 0) ^ 1
    expect(checkKfw1(damaged, expect2)).toEqual(['KFW1 checksum (sha256 trailer) does not match'])
    expect(checkKfw1(kfw1('epson-tm-t88v', '2.2', payload), expect2)).toEqual([
      'KFW1 image is for model epson-tm-t88v, not xprinter-xp-t58h',
      'KFW1 image is version 2.2, not 2.1',
    ])
    expect(firmwareProblems(image, 'vendor-secret', expect2)[0]).toMatch(/cannot check firmware format vendor-secret/)
  })
})

describe('app release manifest', () => {
  it('accepts a plain or gzip tarball whose release.json names the version', async () => {
    const tar = tarOf({ 'release.json': JSON.stringify({ version: '1.2.0', main: 'agent.mjs' }), 'agent.mjs': '' })
    expect(await appReleaseProblems(tar, '1.2.0')).toEqual([])
    expect(await appReleaseProblems(new Uint8Array(gzipSync(tar)), '1.2.0')).toEqual([])
  })
  it('names what is wrong: no manifest, another version, main missing or outside, not a tar', async () => {
    expect(await appReleaseProblems(tarOf({ 'ui/index.html': '<h1>' }), '1.2.0')).toEqual([
      'no release.json at the top of the archive',
    ])
    expect(await appReleaseProblems(tarOf({ 'release.json': '{"version":"1.1.0"}' }), '1.2.0')).toEqual([
      'release.json names version 1.1.0, not 1.2.0',
    ])
    expect(await appReleaseProblems(tarOf({ 'release.json': '{"version":"1.2.0","main":"x.mjs"}' }), '1.2.0')).toEqual([
      'release.json main x.mjs is not in the archive',
    ])
    expect(
      await appReleaseProblems(tarOf({ 'release.json': '{"version":"1.2.0","main":"../../bin/sh"}' }), '1.2.0'),
    ).toEqual(['release.json main is not a path inside the release'])
    expect(await appReleaseProblems(tarOf({ 'release.json': 'not json' }), '1.2.0')).toEqual([
      expect.stringMatching(/^release.json is not JSON/),
    ])
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2_654_435_761) >>> 24)
    expect((await appReleaseProblems(random, '1.2.0'))[0]).toMatch(/^not a tar archive/)
  })
})

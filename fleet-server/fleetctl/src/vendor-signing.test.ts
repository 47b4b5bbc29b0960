import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Key, Metadata, MetadataKind, TargetFile, Targets } from '@tufjs/models'
import { describe, expect, it } from 'vitest'
import { FleetctlError } from './api-client.ts'
import {
  generateVendorKey,
  keyIdOf,
  publicKeyOf,
  readVendorKey,
  signVendorRequest,
  signVendorResign,
} from './vendor-signing.ts'

const bytes = Buffer.from('firmware image')
const sha256 = createHash('sha256').update(bytes).digest('hex')
const path = 'firmware/xprinter/xprinter-xp-t58h/fw-2.1.0.bin'

function request(fileSha = sha256, length = bytes.length) {
  const targets = new Targets({ version: 3, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z' })
  targets.addTarget(new TargetFile({ path, length, hashes: { sha256: fileSha } }))
  return new Metadata(targets).toJSON()
}

describe('vendor signing on the vendor machine', () => {
  it('signs the targets metadata so the public key verifies it', () => {
    const pair = generateVendorKey()
    const [signature, ...rest] = signVendorRequest(request(), [pair], { path, sha256, length: bytes.length })
    expect(rest).toEqual([])
    expect(signature?.keyid).toBe(pair.keyid)
    const signed = Metadata.fromJSON(MetadataKind.Targets, {
      ...request(),
      signatures: [{ keyid: pair.keyid, sig: signature?.sig as string }],
    } as Parameters<typeof Metadata.fromJSON>[1])
    const key = new Key({
      keyID: pair.keyid,
      keyType: 'ed25519',
      scheme: 'ed25519',
      keyVal: { public: pair.keyval.public },
    })
    expect(() => key.verifySignature(signed)).not.toThrow()
  })

  it('signs with several keys, and accepts a bare `signed` object', () => {
    const keys = [generateVendorKey(), generateVendorKey()]
    const sigs = signVendorRequest(request().signed, keys, { path, sha256, length: bytes.length })
    expect(sigs.map((s) => s.keyid)).toEqual(keys.map((k) => k.keyid))
    expect(sigs.every((s) => /^[0-9a-f]{128}$/.test(s.sig))).toBe(true)
  })

  it('refuses to sign metadata that does not list the local file exactly', () => {
    const pair = generateVendorKey()
    const expected = { path, sha256, length: bytes.length }
    expect(() => signVendorRequest(request('0'.repeat(64)), [pair], expected)).toThrow(/refusing to sign/)
    expect(() => signVendorRequest(request(sha256, 1), [pair], expected)).toThrow(/refusing to sign/)
    expect(() => signVendorRequest(request(), [pair], { ...expected, path: 'firmware/other/x.bin' })).toThrow(
      /does not list/,
    )
    expect(() => signVendorRequest({ nonsense: true }, [pair], expected)).toThrow(FleetctlError)
  })

  it('reads key files, rejecting broken or mismatched ones with a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vendor-keys-'))
    const pair = generateVendorKey()
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(pair))
    expect(readVendorKey(join(dir, 'ok.json'))).toEqual(pair)
    expect(publicKeyOf(pair)).toEqual({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pair.keyval.public } })
    expect(keyIdOf(pair.keyval.public)).toBe(pair.keyid)
    const other = generateVendorKey()
    writeFileSync(
      join(dir, 'mixed.json'),
      JSON.stringify({ ...pair, keyval: { ...pair.keyval, private: other.keyval.private } }),
    )
    writeFileSync(join(dir, 'torn.json'), '{"keytype":')
    for (const [file, message] of [
      ['mixed.json', /does not match/],
      ['torn.json', /cannot read key file/],
      ['missing.json', /cannot read key file/],
    ] as const) {
      let error: unknown
      try {
        readVendorKey(join(dir, file))
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(FleetctlError)
      expect((error as FleetctlError).exitCode).toBe(2)
      expect((error as Error).message).toMatch(message)
    }
  })

  describe('re-signing the vendor role', () => {
    const pair = generateVendorKey()
    /** The role as published: version 3, one file, signed by the vendor's key. */
    function published(signer = pair) {
      const signed = request()
      const [signature] = signVendorRequest(signed, [signer], { path, sha256, length: bytes.length })
      return { ...signed, signatures: [signature] }
    }
    function resign(targets: TargetFile[], version = 4) {
      const next = new Targets({ version, specVersion: '1.0.31', expires: '2031-01-01T00:00:00Z' })
      for (const t of targets) next.addTarget(t)
      return new Metadata(next).toJSON()
    }
    const same = new TargetFile({ path, length: bytes.length, hashes: { sha256 } })

    it('signs a renewal and a removal, and says what was taken out', () => {
      expect(signVendorResign(resign([same]), published(), [pair])).toMatchObject({ version: 4, dropped: [] })
      const removal = signVendorResign(resign([]), published(), [pair])
      expect(removal).toMatchObject({ dropped: [path], expires: '2031-01-01T00:00:00Z' })
      expect(removal.signatures[0]?.keyid).toBe(pair.keyid)
    })

    it('refuses a request that adds or changes a file, skips a version, or follows a role it did not sign', () => {
      const message = (run: () => unknown) => {
        try {
          run()
          return 'signed'
        } catch (err) {
          return err instanceof FleetctlError ? err.message : String(err)
        }
      }
      const other = new TargetFile({ path: `${path}.evil`, length: 1, hashes: { sha256 } })
      expect(message(() => signVendorResign(resign([same, other]), published(), [pair]))).toContain(
        `the request adds or changes ${path}.evil`,
      )
      const changed = new TargetFile({ path, length: bytes.length, hashes: { sha256: sha256.replace(/^./, '0') } })
      expect(message(() => signVendorResign(resign([changed]), published(), [pair]))).toContain('adds or changes')
      expect(message(() => signVendorResign(resign([same], 9), published(), [pair]))).toContain('version 9')
      // After a restore the fleet asks for a version above its floor: signed only when the vendor says so, never lower.
      expect(signVendorResign(resign([same], 9), published(), [pair], { afterRestore: true }).version).toBe(9)
      expect(message(() => signVendorResign(resign([same], 3), published(), [pair], { afterRestore: true }))).toContain(
        'version 3',
      )
      expect(message(() => signVendorResign(resign([same]), published(generateVendorKey()), [pair]))).toContain(
        'no valid signature of your keys',
      )
      // Never published: a first role may list nothing.
      expect(message(() => signVendorResign(resign([same], 1), undefined, [pair]))).toContain('adds or changes')
      expect(signVendorResign(resign([], 1), undefined, [pair]).dropped).toEqual([])
    })
  })
})

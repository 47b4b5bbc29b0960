import { createHash } from 'node:crypto'
import { Parser, type ReadEntry } from 'tar'

/**
 * What is inside an uploaded artifact, checked before it is signed: an app release must be a tarball
 * with a valid `release.json` naming its version (the kiosk refuses to install one without), and
 * firmware must parse as its model's image format. Each problem is a sentence for the uploader.
 */

const MAX_MANIFEST_BYTES = 64 * 1024

function insideRelease(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.split('/').includes('..')
}

const clean = (path: string) => path.replace(/^(\.\/)+/, '')

/** Problems of an app release tarball (gzip or plain tar) as the kiosk will unpack it. */
export async function appReleaseProblems(bytes: Uint8Array, version: string): Promise<string[]> {
  const entries: string[] = []
  let manifest: string | undefined
  const unsafe: string[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      const parser = new Parser({ strict: true })
      parser.on('entry', (entry: ReadEntry) => {
        const path = clean(entry.path)
        entries.push(path)
        if (!insideRelease(path)) unsafe.push(entry.path)
        if (path === 'release.json' && entry.size <= MAX_MANIFEST_BYTES) {
          const chunks: Buffer[] = []
          entry.on('data', (c: Buffer) => chunks.push(c))
          entry.on('end', () => {
            manifest = Buffer.concat(chunks).toString('utf8')
          })
        } else entry.resume()
      })
      parser.on('error', reject)
      parser.on('warn', (code: string, message: string | Error) =>
        reject(new Error(`${code}: ${message instanceof Error ? message.message : message}`)),
      )
      parser.on('end', resolve)
      parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    })
  } catch (err) {
    return [`not a tar archive (gzip or plain): ${err instanceof Error ? err.message : String(err)}`]
  }
  if (entries.length === 0) return ['not a tar archive (gzip or plain): no entries']
  const problems: string[] = []
  if (unsafe.length > 0) problems.push(`paths outside the release: ${unsafe.slice(0, 5).join(', ')}`)
  if (manifest === undefined) return [...problems, 'no release.json at the top of the archive']
  let value: { version?: unknown; main?: unknown }
  try {
    value = JSON.parse(manifest) as typeof value
  } catch (err) {
    return [...problems, `release.json is not JSON: ${(err as Error).message}`]
  }
  if (typeof value !== 'object' || value === null) return [...problems, 'release.json is not an object']
  if (typeof value.version !== 'string') problems.push('release.json has no version')
  else if (value.version !== version) problems.push(`release.json names version ${value.version}, not ${version}`)
  if (value.main !== undefined) {
    if (typeof value.main !== 'string' || !insideRelease(value.main)) {
      problems.push('release.json main is not a path inside the release')
    } else if (!entries.includes(clean(value.main))) {
      problems.push(`release.json main ${value.main} is not in the archive`)
    }
  }
  return problems
}

/** A firmware image parser: the problems of `bytes` as an image for `model` at `version`. */
export type FirmwareFormatCheck = (bytes: Uint8Array, expect: { model: string; version: string }) => string[]

/**
 * KFW1, the image our printers' bootloaders take (drivers/printer-escpos/src/firmware/image.ts is the
 * device side): `KFW1`, model id (length-prefixed), version (length-prefixed), payload length (u32
 * LE), payload, sha256 of all before it. Bytes after the image (XMODEM padding) are allowed.
 */
export const checkKfw1: FirmwareFormatCheck = (bytes, expect) => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const id = /^[\x21-\x7e]+$/
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== 'KFW1') return ['not a KFW1 image: no KFW1 magic at the start']
  const m = buf[4] ?? 0
  const v = buf[5 + m] ?? 0
  if (buf.length < 10 + m + v) return ['KFW1 image truncated inside its header']
  const model = buf.toString('latin1', 5, 5 + m)
  const version = buf.toString('latin1', 6 + m, 6 + m + v)
  if (m === 0 || m > 64 || v === 0 || v > 32 || !id.test(model) || !id.test(version)) {
    return ['KFW1 header is malformed (model or version field)']
  }
  const payload = buf.readUInt32LE(6 + m + v)
  const total = 10 + m + v + payload + 32
  if (payload > 4 * 1024 * 1024) return [`KFW1 payload of ${payload} bytes exceeds 4 MiB`]
  if (buf.length < total) return [`KFW1 image truncated: header says ${total} bytes, got ${buf.length}`]
  const problems: string[] = []
  const digest = createHash('sha256')
    .update(buf.subarray(0, total - 32))
    .digest()
  if (!digest.equals(buf.subarray(total - 32, total))) problems.push('KFW1 checksum (sha256 trailer) does not match')
  if (model !== expect.model) problems.push(`KFW1 image is for model ${model}, not ${expect.model}`)
  if (version !== expect.version) problems.push(`KFW1 image is version ${version}, not ${expect.version}`)
  return problems
}

/** Image formats by the id a model's registry data names (`update.firmwareFormat`). */
export const FIRMWARE_FORMATS: Record<string, FirmwareFormatCheck> = { kfw1: checkKfw1 }
/** The format of a model that takes firmware but names none: the one our bootloaders take. */
export const DEFAULT_FIRMWARE_FORMAT = 'kfw1'

export function firmwareProblems(
  bytes: Uint8Array,
  format: string,
  expect: { model: string; version: string },
): string[] {
  const check = FIRMWARE_FORMATS[format]
  if (check === undefined)
    return [`the fleet cannot check firmware format ${format} (known: ${Object.keys(FIRMWARE_FORMATS).join(', ')})`]
  return check(bytes, expect)
}

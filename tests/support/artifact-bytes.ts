import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buildFirmwareImage } from '@drivers/printer-escpos'
import { create } from 'tar'

/**
 * A real app release tarball (gzip): `release.json` naming `version` plus `files`, as the fleet
 * checks it at upload and the kiosk unpacks it. `manifest: null` leaves release.json out.
 */
export function testAppRelease(
  version: string,
  options: { files?: Record<string, string | Uint8Array>; manifest?: Record<string, unknown> | null } = {},
): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'app-release-'))
  try {
    const files: Record<string, string | Uint8Array> = {
      'ui/index.html': `<h1>kiosk app ${version}</h1>`,
      ...options.files,
    }
    if (options.manifest !== null) files['release.json'] = JSON.stringify(options.manifest ?? { version })
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
    const out = join(dir, '..', `${dir.split('/').at(-1)}.tar.gz`)
    create({ gzip: true, file: out, cwd: dir, sync: true, portable: true }, Object.keys(files).sort())
    const bytes = new Uint8Array(readFileSync(out))
    rmSync(out, { force: true })
    return bytes
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An app release of about `bytes` (random content, so gzip keeps the size): for upload and resume tests. */
export function testAppReleaseOfSize(version: string, bytes: number): Uint8Array {
  return testAppRelease(version, { files: { 'ui/assets.bin': randomBytes(bytes) } })
}

/** A KFW1 firmware image for a registry model id (the format the fleet checks at upload). */
export function testFirmwareImage(model: string, version: string, payloadBytes = 2048): Uint8Array {
  const payload = Uint8Array.from({ length: payloadBytes }, (_, i) => (i * 7) & 0xff)
  return buildFirmwareImage({ model, version, payload })
}

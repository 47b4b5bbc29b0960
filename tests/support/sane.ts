import { execFileSync } from 'node:child_process'
import { createSaneTestBackend, type SaneTestBackend } from '@drivers/scanner-sane/emulator'

/**
 * SANE's `test` backend in a private SANE_CONFIG_DIR (no root edits to /etc/sane.d). A missing
 * scanimage is a loud failure naming the Debian package: scripts/ensure-system.sh installs it.
 */
export async function startSaneTestBackend(): Promise<SaneTestBackend> {
  try {
    execFileSync('sh', ['-c', 'command -v scanimage'], { encoding: 'utf8' })
  } catch (err) {
    throw new Error('scanimage is missing: apt-get install sane-utils (bash scripts/ensure-system.sh does this)', {
      cause: err,
    })
  }
  return createSaneTestBackend()
}

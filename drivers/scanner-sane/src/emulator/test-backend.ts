import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface SaneTestBackend {
  /** Point SANE_CONFIG_DIR here: its dll.conf enables only the `test` backend. */
  configDir: string
  /** process.env plus SANE_CONFIG_DIR. */
  env: NodeJS.ProcessEnv
  remove(): Promise<void>
}

/**
 * SANE's `test` backend ships in libsane1 but is commented out in /etc/sane.d/dll.conf
 * (docs/device-protocols.md §4). A private config dir enables it without root edits; `test:0` and
 * `test:1` then appear, no hardware needed. Faults are the backend's own options
 * (`--read-return-value SANE_STATUS_JAMMED|…_NO_DOCS|…_COVER_OPEN`, `--read-delay`).
 */
export async function createSaneTestBackend(): Promise<SaneTestBackend> {
  const configDir = await mkdtemp(join(tmpdir(), 'sane-test-'))
  await writeFile(join(configDir, 'dll.conf'), 'test\n')
  return {
    configDir,
    env: { ...process.env, SANE_CONFIG_DIR: configDir },
    remove: () => rm(configDir, { recursive: true, force: true }),
  }
}

/** test-backend arguments that make a scan fail with the given SANE status. */
export function injectSaneStatus(
  status:
    | 'SANE_STATUS_JAMMED'
    | 'SANE_STATUS_NO_DOCS'
    | 'SANE_STATUS_COVER_OPEN'
    | 'SANE_STATUS_IO_ERROR'
    | 'SANE_STATUS_DEVICE_BUSY',
): string[] {
  return ['--read-return-value', status]
}

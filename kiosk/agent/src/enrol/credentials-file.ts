import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import type { KioskCredentials } from './enrol-client.ts'

export type CredentialsFormat = 'json' | 'env'

/**
 * The credentials as a file: `json` is `{kioskId, mqtt: {url, username, password}}`; `env` is the
 * agent's own environment variables (KIOSK_MQTT__USERNAME, …), e.g. for a systemd EnvironmentFile.
 */
export function formatCredentials(credentials: KioskCredentials, format: CredentialsFormat): string {
  if (format === 'json') return `${JSON.stringify(credentials, null, 2)}\n`
  const { url, username, password } = credentials.mqtt
  return [
    ...(url === undefined ? [] : [`KIOSK_MQTT__URL=${url}`]),
    `KIOSK_MQTT__USERNAME=${username}`,
    `KIOSK_MQTT__PASSWORD=${password}`,
    '',
  ].join('\n')
}

/** Writes the file readable by its owner only (mode 0600), atomically: never a half-written secret. */
export function writeCredentialsFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

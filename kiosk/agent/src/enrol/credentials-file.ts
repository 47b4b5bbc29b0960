import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import type { KioskCredentials } from './enrol-client.ts'

export type CredentialsFormat = 'json' | 'env'

/**
 * The credentials as a file: `json` is `{kioskId, mqtt: {url, username, password, tls?: {ca}}}` (the
 * agent config's shape); `env` is the agent's own environment variables (KIOSK_MQTT__USERNAME, …),
 * e.g. for a systemd EnvironmentFile. `caFile` is where the broker's CA certificate was written.
 */
export function formatCredentials(
  credentials: KioskCredentials,
  format: CredentialsFormat,
  caFile?: string | undefined,
): string {
  const { url, username, password } = credentials.mqtt
  if (format === 'json') {
    const mqtt = {
      ...(url === undefined ? {} : { url }),
      username,
      password,
      ...(caFile ? { tls: { ca: caFile } } : {}),
    }
    return `${JSON.stringify({ kioskId: credentials.kioskId, mqtt }, null, 2)}\n`
  }
  return [
    ...(url === undefined ? [] : [`KIOSK_MQTT__URL=${url}`]),
    `KIOSK_MQTT__USERNAME=${username}`,
    `KIOSK_MQTT__PASSWORD=${password}`,
    ...(caFile === undefined ? [] : [`KIOSK_MQTT__TLS__CA=${caFile}`]),
    '',
  ].join('\n')
}

/** Writes the broker's CA certificate (public, mode 0644) beside the credentials file; returns its path. */
export function writeBrokerCa(credentialsPath: string, pem: string): string {
  const path = `${credentialsPath.replace(/\.(json|env)$/, '')}.mqtt-ca.pem`
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o644)
  try {
    writeSync(fd, pem)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  return path
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

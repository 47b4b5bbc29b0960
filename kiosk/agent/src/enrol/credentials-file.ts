import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import type { KioskCredentials } from './enrol-client.ts'

export type CredentialsFormat = 'json' | 'env'

/** CA files written beside the credentials: the broker's (from the fleet) and the fleet's HTTPS one (`--ca`). */
export interface CaFiles {
  /** The broker's CA the fleet handed back: `mqtt.tls.ca`. */
  mqtt?: string | undefined
  /** The CA that verified the fleet's HTTPS at enrolment: `updates.tls.ca`, the update channel's trust. */
  updates?: string | undefined
}

/**
 * The credentials as a file: `json` is `{kioskId, mqtt: {url, username, password, tls?: {ca}},
 * updates?: {tls: {ca}}}` (the agent config's shape); `env` is the agent's own environment variables
 * (KIOSK_MQTT__USERNAME, …), e.g. for a systemd EnvironmentFile.
 */
export function formatCredentials(credentials: KioskCredentials, format: CredentialsFormat, ca: CaFiles = {}): string {
  const { url, username, password } = credentials.mqtt
  if (format === 'json') {
    const mqtt = {
      ...(url === undefined ? {} : { url }),
      username,
      password,
      ...(ca.mqtt ? { tls: { ca: ca.mqtt } } : {}),
    }
    const updates = ca.updates ? { updates: { tls: { ca: ca.updates } } } : {}
    return `${JSON.stringify({ kioskId: credentials.kioskId, mqtt, ...updates }, null, 2)}\n`
  }
  return [
    ...(url === undefined ? [] : [`KIOSK_MQTT__URL=${url}`]),
    `KIOSK_MQTT__USERNAME=${username}`,
    `KIOSK_MQTT__PASSWORD=${password}`,
    ...(ca.mqtt ? [`KIOSK_MQTT__TLS__CA=${ca.mqtt}`] : []),
    ...(ca.updates ? [`KIOSK_UPDATES__TLS__CA=${ca.updates}`] : []),
    '',
  ].join('\n')
}

/** Writes the broker's CA certificate (public, mode 0644) beside the credentials file; returns its path. */
export function writeBrokerCa(credentialsPath: string, pem: string | Buffer): string {
  return writeBeside(credentialsPath, 'mqtt-ca.pem', pem)
}

/** Writes the CA of the fleet's HTTPS certificate (public, mode 0644) beside the credentials file; returns its path. */
export function writeFleetCa(credentialsPath: string, pem: string | Buffer): string {
  return writeBeside(credentialsPath, 'fleet-ca.pem', pem)
}

function writeBeside(credentialsPath: string, suffix: string, pem: string | Buffer): string {
  const path = `${credentialsPath.replace(/\.(json|env)$/, '')}.${suffix}`
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o644)
  try {
    writeSync(fd, typeof pem === 'string' ? Buffer.from(pem) : pem)
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

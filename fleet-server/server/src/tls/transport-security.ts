import { readFileSync } from 'node:fs'
import { isLoopbackHost, plaintextRefusal } from '@kiosk-fleet/protocol'
import type { FleetConfig } from '../config/schema.ts'
import { FleetErrorCodes } from '../errors.ts'

/**
 * TLS for every listener and connection of the fleet-server (docs/operations.md "TLS"): files read
 * once at start; clear text only on loopback or where an `allowPlaintext` setting says so.
 */
export class TransportSecurityError extends Error {
  readonly code = FleetErrorCodes.tlsConfig
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TransportSecurityError'
  }
}

function readPem(path: string, setting: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new TransportSecurityError(`cannot read ${setting} (${path}): ${(err as Error).message}`, { cause: err })
  }
}

function pair(tls: { cert?: string | undefined; key?: string | undefined }, setting: string) {
  if (tls.cert === undefined && tls.key === undefined) return undefined
  if (tls.cert === undefined || tls.key === undefined) {
    throw new TransportSecurityError(`${setting}.cert and ${setting}.key go together`)
  }
  return { cert: readPem(tls.cert, `${setting}.cert`), key: readPem(tls.key, `${setting}.key`) }
}

/** The HTTPS options of the API listener, or undefined for plain HTTP (refused off loopback unless allowed). */
export function httpsOptions(http: FleetConfig['http']): { cert: Buffer; key: Buffer } | undefined {
  const https = pair(http.tls, 'http.tls')
  if (https === undefined && !http.allowPlaintext && !isLoopbackHost(http.host)) {
    throw new TransportSecurityError(
      `plain HTTP on ${http.host}: set http.tls.cert and http.tls.key, or put a TLS proxy in front and set http.allowPlaintext (and http.trustProxy)`,
    )
  }
  return https
}

/** node:tls options of the embedded broker's listener, or undefined for plain MQTT (refused off loopback unless allowed). */
export function embeddedBrokerTls(mqtt: FleetConfig['mqtt']): EmbeddedBrokerTls | undefined {
  const { tls, host } = mqtt.embedded
  const server = pair(tls, 'mqtt.embedded.tls')
  if (server === undefined) {
    if (!mqtt.allowPlaintext && !isLoopbackHost(host)) {
      throw new TransportSecurityError(
        `clear-text MQTT on ${host}: set mqtt.embedded.tls.cert and .key, or mqtt.allowPlaintext`,
      )
    }
    return undefined
  }
  if (tls.clientCertificates !== 'off' && tls.ca === undefined) {
    throw new TransportSecurityError('mqtt.embedded.tls.clientCertificates needs mqtt.embedded.tls.ca (the kiosk CA)')
  }
  return {
    ...server,
    ...(tls.ca === undefined ? {} : { ca: readPem(tls.ca, 'mqtt.embedded.tls.ca') }),
    clientCertificates: tls.clientCertificates,
  }
}

export interface EmbeddedBrokerTls {
  cert: Buffer
  key: Buffer
  ca?: Buffer
  clientCertificates: 'off' | 'optional' | 'required'
}

/** mqtt.js options of the fleet-server's own broker connection; refuses clear text off loopback unless allowed. */
export function mqttClientTls(mqtt: FleetConfig['mqtt'], url: string) {
  const refusal = plaintextRefusal(url, mqtt.allowPlaintext, 'mqtt.allowPlaintext')
  if (refusal !== undefined) throw new TransportSecurityError(refusal)
  const client = pair(mqtt.tls, 'mqtt.tls')
  return {
    rejectUnauthorized: mqtt.tls.rejectUnauthorized,
    ...(mqtt.tls.ca === undefined ? {} : { ca: readPem(mqtt.tls.ca, 'mqtt.tls.ca') }),
    ...client,
  }
}

/** The CA certificate (PEM text) handed to kiosks at enrolment, if the fleet has one to hand. */
export function enrolmentCa(config: FleetConfig): string | undefined {
  const file = config.broker.caFile ?? config.mqtt.tls.ca
  return file === undefined
    ? undefined
    : readPem(file, config.broker.caFile ? 'broker.caFile' : 'mqtt.tls.ca').toString()
}

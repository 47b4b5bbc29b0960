import { readFileSync } from 'node:fs'
import { AppError } from '@drivers/core'
import { plaintextRefusal } from '@kiosk-fleet/protocol'
import type { AgentConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'

/** What mqtt.js takes for mqtts:// (node:tls options), read from the files the config names. */
export interface MqttTlsOptions {
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  rejectUnauthorized: boolean
}

function read(path: string, setting: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new AppError(KioskErrorCodes.mqttTls, `cannot read ${setting} (${path}): ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/**
 * The TLS side of the kiosk's broker connection. Refuses clear-text mqtt:// to anything but loopback
 * unless `mqtt.allowPlaintext` says so, and a certificate without its key (or the reverse). Thrown
 * at start-up with ERR_KIOSK_MQTT_TLS.
 */
export function mqttTlsOptions(mqtt: AgentConfig['mqtt']): MqttTlsOptions {
  const refusal = plaintextRefusal(mqtt.url, mqtt.allowPlaintext, 'mqtt.allowPlaintext')
  if (refusal !== undefined) throw new AppError(KioskErrorCodes.mqttTls, refusal)
  const { ca, cert, key, rejectUnauthorized } = mqtt.tls
  if ((cert === undefined) !== (key === undefined)) {
    throw new AppError(KioskErrorCodes.mqttTls, 'mqtt.tls.cert and mqtt.tls.key go together (client certificate)')
  }
  return {
    rejectUnauthorized,
    ...(ca === undefined ? {} : { ca: read(ca, 'mqtt.tls.ca') }),
    ...(cert === undefined ? {} : { cert: read(cert, 'mqtt.tls.cert') }),
    ...(key === undefined ? {} : { key: read(key, 'mqtt.tls.key') }),
  }
}

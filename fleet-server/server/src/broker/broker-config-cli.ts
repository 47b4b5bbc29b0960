/**
 * What `fleet-server mosquitto-config` and `fleet-server nats-config` share: their usage errors
 * (exit code 2), positive-integer options, and the broker users they write — the fleet-server's
 * (from its config: FLEET_MQTT__USERNAME/PASSWORD) and every enrolled kiosk's (from its database).
 */

import { ConfigError } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { loadFleetConfig } from '../config/load-fleet-config.ts'
import { migrate } from '../db/migrate.ts'
import { FleetErrorCodes } from '../errors.ts'
import { openDatabase } from '../fleet-server.ts'
import { fleetMqttUsername } from './fleet-mqtt-user.ts'
import { KioskCredentials, type StoredKioskCredential } from './kiosk-credentials.ts'

/** The options every broker-config command takes (`parseArgs`): where to write, the fleet's config, replicas. */
export const BROKER_CONFIG_OPTIONS = {
  out: { type: 'string' },
  config: { type: 'string', short: 'c' },
  replicas: { type: 'string' },
} as const

/** One broker-config command's name and usage line, for its error messages. */
export class BrokerConfigCommand {
  constructor(
    readonly name: string,
    readonly usage: string,
  ) {}

  /** Prints `fleet-server <name>: message` on stderr and exits with 2 (bad usage or config). */
  fail(message: string): never {
    process.stderr.write(`fleet-server ${this.name}: ${message}\n`)
    process.exit(2)
  }

  /** The values of `parseArgs(…)`, `--out` required; a parse error fails with the usage. */
  parse<V extends { out?: unknown }>(parseArgs: () => { values: V }): V & { out: string } {
    let values: V
    try {
      values = parseArgs().values
    } catch (err) {
      this.fail(`${(err as Error).message}\n${this.usage}`)
    }
    const out = values.out
    if (typeof out !== 'string') this.fail(this.usage)
    return Object.assign(values, { out })
  }

  /** The option's value as a positive integer, `fallback` when absent. */
  positive(name: string, text: string | undefined, fallback: number): number {
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isInteger(n) || n < 1) this.fail(`--${name} must be a positive integer\n${this.usage}`)
    return n
  }

  /**
   * The fleet-server's broker user and password and every enrolled kiosk's stored credential, read
   * from the fleet's config (`configFile`, else FLEET_CONFIG, and the environment) and its database
   * (migrated first). A config error or a missing fleet password fails the command.
   */
  async readBrokerUsers(configFile: string | undefined): Promise<BrokerUsers> {
    let config: ReturnType<typeof loadFleetConfig>
    try {
      config = loadFleetConfig({ file: configFile ?? process.env.FLEET_CONFIG, env: process.env })
    } catch (err) {
      if (err instanceof ConfigError) this.fail(err.message)
      throw err
    }
    const password = config.mqtt.password
    if (password === undefined) {
      this.fail(
        `${FleetErrorCodes.mqttPasswordMissing}: set FLEET_MQTT__PASSWORD, the fleet-server's own broker password`,
      )
    }
    const logger = pino({ level: 'warn', base: { app: 'fleet-server' } }, pino.destination(2))
    const db = await openDatabase(config.database, logger)
    try {
      await migrate(db, logger)
      return { fleet: { username: fleetMqttUsername(config), password }, kiosks: await new KioskCredentials(db).list() }
    } finally {
      await db.close()
    }
  }
}

/** The users a broker's auth files hold. */
export interface BrokerUsers {
  fleet: { username: string; password: string }
  kiosks: StoredKioskCredential[]
}

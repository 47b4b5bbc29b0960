/**
 * `fleet-server mosquitto-config --out DIR [--config fleet.json]`: writes Mosquitto's password file
 * (the fleet-server's own user from FLEET_MQTT__USERNAME/PASSWORD, and every enrolled kiosk's hash)
 * and its ACL file into DIR, and prints the mosquitto.conf lines that use them. Rerun it after
 * enrolling kiosks, then send Mosquitto SIGHUP to reload. Exit codes: 0 written, 2 bad usage or config.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { loadFleetConfig } from '../config/load-fleet-config.ts'
import { migrate } from '../db/migrate.ts'
import { FleetErrorCodes } from '../errors.ts'
import { openDatabase } from '../fleet-server.ts'
import { fleetMqttUsername } from './fleet-mqtt-user.ts'
import { KioskCredentials } from './kiosk-credentials.ts'
import { writeMosquittoAuthFiles } from './mosquitto-config.ts'

const USAGE = 'usage: fleet-server mosquitto-config --out DIR [--config fleet.json]'

function fail(message: string): never {
  process.stderr.write(`fleet-server mosquitto-config: ${message}\n`)
  process.exit(2)
}

let values: { out?: string | undefined; config?: string | undefined }
try {
  values = parseArgs({ options: { out: { type: 'string' }, config: { type: 'string', short: 'c' } } }).values
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`)
}
if (values.out === undefined) fail(USAGE)

let config: ReturnType<typeof loadFleetConfig>
try {
  config = loadFleetConfig({ file: values.config ?? process.env.FLEET_CONFIG, env: process.env })
} catch (err) {
  if (err instanceof ConfigError) fail(err.message)
  throw err
}
const password = config.mqtt.password
if (password === undefined) {
  fail(`${FleetErrorCodes.mqttPasswordMissing}: set FLEET_MQTT__PASSWORD, the fleet-server's own broker password`)
}

const logger = pino({ level: 'warn', base: { app: 'fleet-server' } }, pino.destination(2))
const db = await openDatabase(config.database, logger)
try {
  await migrate(db, logger)
  const kiosks = await new KioskCredentials(db).list()
  const files = await writeMosquittoAuthFiles({
    dir: resolve(values.out),
    fleet: { username: fleetMqttUsername(config), password },
    kiosks,
  })
  process.stdout.write(
    [
      `wrote ${files.passwordFile} (${kiosks.length} kiosks and ${fleetMqttUsername(config)}) and ${files.aclFile}`,
      'mosquitto.conf:',
      '  allow_anonymous false',
      `  password_file ${files.passwordFile}`,
      `  acl_file ${files.aclFile}`,
      'Make both files readable by the user Mosquitto runs as; after a rerun, send Mosquitto SIGHUP.',
      '',
    ].join('\n'),
  )
} finally {
  await db.close()
}

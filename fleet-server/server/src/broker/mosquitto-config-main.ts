/**
 * `fleet-server mosquitto-config --out DIR [--config fleet.json] [--replicas N] [--listener 1883]
 * [--persistence-dir /var/lib/mosquitto] [--outbox-per-kiosk 50000]`: writes Mosquitto's password
 * file (the fleet-server's users, one per replica, from FLEET_MQTT__USERNAME/PASSWORD, and every
 * enrolled kiosk's hash), its ACL file and a mosquitto.conf (mosquittoConf: queues sized for every
 * kiosk's outbox, persistence, client id = user name) into DIR. Rerun it after enrolling kiosks, then
 * send Mosquitto SIGHUP to reload. Exit codes: 0 written, 2 bad usage or config.
 */

import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { loadFleetConfig } from '../config/load-fleet-config.ts'
import { migrate } from '../db/migrate.ts'
import { FleetErrorCodes } from '../errors.ts'
import { openDatabase } from '../fleet-server.ts'
import { fleetMqttUsername } from './fleet-mqtt-user.ts'
import { KioskCredentials } from './kiosk-credentials.ts'
import { fleetReplicaUsers, mosquittoConf, writeMosquittoAuthFiles } from './mosquitto-config.ts'

const USAGE =
  'usage: fleet-server mosquitto-config --out DIR [--config fleet.json] [--replicas N] [--listener PORT]' +
  ' [--persistence-dir DIR] [--outbox-per-kiosk N]'

function fail(message: string): never {
  process.stderr.write(`fleet-server mosquitto-config: ${message}\n`)
  process.exit(2)
}

let values: {
  out?: string | undefined
  config?: string | undefined
  replicas?: string | undefined
  listener?: string | undefined
  'persistence-dir'?: string | undefined
  'outbox-per-kiosk'?: string | undefined
}
try {
  values = parseArgs({
    options: {
      out: { type: 'string' },
      config: { type: 'string', short: 'c' },
      replicas: { type: 'string' },
      listener: { type: 'string' },
      'persistence-dir': { type: 'string' },
      'outbox-per-kiosk': { type: 'string' },
    },
  }).values
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`)
}
if (values.out === undefined) fail(USAGE)
const positive = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer\n${USAGE}`)
  return n
}
const replicas = positive('replicas', values.replicas, 1)
const outboxPerKiosk = positive('outbox-per-kiosk', values['outbox-per-kiosk'], 50_000)

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
    replicas,
  })
  const confFile = join(resolve(values.out), 'mosquitto.conf')
  await writeFile(
    confFile,
    mosquittoConf({
      listener: values.listener ?? '1883',
      passwordFile: files.passwordFile,
      aclFile: files.aclFile,
      persistenceDir: values['persistence-dir'] ?? '/var/lib/mosquitto/',
      kiosks: kiosks.length,
      outboxPerKiosk,
    }),
  )
  const users = fleetReplicaUsers(fleetMqttUsername(config), replicas).join(', ')
  process.stdout.write(
    [
      `wrote ${files.passwordFile} (${kiosks.length} kiosks; fleet users ${users}), ${files.aclFile} and ${confFile}`,
      `Run mosquitto -c ${confFile} (or include its lines in yours).`,
      'Each fleet-server replica logs in as its own user (FLEET_MQTT__USERNAME) with the same password.',
      'Make the files readable by the user Mosquitto runs as; after a rerun, send Mosquitto SIGHUP.',
      '',
    ].join('\n'),
  )
} finally {
  await db.close()
}

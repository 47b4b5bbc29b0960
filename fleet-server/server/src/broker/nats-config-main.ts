/**
 * `fleet-server nats-config --out DIR [--config fleet.json] [--replicas N]`: writes
 * `DIR/nats-auth.conf`, nats-server's `authorization { users }` for the clustered engine
 * (docs/scale.md "NATS with JetStream"): the fleet-server's users, one per replica, with the bcrypt hash
 * of FLEET_MQTT__PASSWORD, and every enrolled kiosk with the bcrypt hash stored when its credential
 * was issued and permissions on its own subjects only. Include the file in every node's config; rerun
 * it after enrolling kiosks and reload the nodes. Kiosks it cannot write (credential issued before
 * bcrypt hashes were stored, or an id NATS cannot hold) are named on stderr: enrol them again.
 * Exit codes: 0 written, 2 bad usage or config.
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
import { fleetReplicaUsers } from './mosquitto-config.ts'
import { writeNatsAuthFile } from './nats-config.ts'

const USAGE = 'usage: fleet-server nats-config --out DIR [--config fleet.json] [--replicas N]'

function fail(message: string): never {
  process.stderr.write(`fleet-server nats-config: ${message}\n`)
  process.exit(2)
}

let values: { out?: string | undefined; config?: string | undefined; replicas?: string | undefined }
try {
  values = parseArgs({
    options: { out: { type: 'string' }, config: { type: 'string', short: 'c' }, replicas: { type: 'string' } },
  }).values
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`)
}
if (values.out === undefined) fail(USAGE)
const replicas = values.replicas === undefined ? 1 : Number(values.replicas)
if (!Number.isInteger(replicas) || replicas < 1) fail(`--replicas must be a positive integer\n${USAGE}`)

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
  const written = await writeNatsAuthFile({
    dir: resolve(values.out),
    fleet: { username: fleetMqttUsername(config), password },
    kiosks: await new KioskCredentials(db).list(),
    replicas,
  })
  for (const s of written.skipped) {
    process.stderr.write(`fleet-server nats-config: kiosk ${s.kioskId} left out (${s.reason})\n`)
  }
  const users = fleetReplicaUsers(fleetMqttUsername(config), replicas).join(', ')
  process.stdout.write(
    [
      `wrote ${written.file} (${written.kiosks} kiosks; fleet users ${users}; ${written.skipped.length} kiosks left out)`,
      'Add `include "<path of this file relative to the node config\'s folder>"` to every NATS node\'s config',
      '(nats-server 2.9 resolves even an absolute include path against that folder), then reload the nodes.',
      'Each fleet-server replica logs in as its own user (FLEET_MQTT__USERNAME) with the same password,',
      'over MQTT and over NATS for ingest (set mqtt.jetstream.username and .password to the same).',
      '',
    ].join('\n'),
  )
} finally {
  await db.close()
}

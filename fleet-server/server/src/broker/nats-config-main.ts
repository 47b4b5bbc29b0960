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
import { BROKER_CONFIG_OPTIONS, BrokerConfigCommand } from './broker-config-cli.ts'
import { fleetReplicaUsers } from './mosquitto-config.ts'
import { writeNatsAuthFile } from './nats-config.ts'

const command = new BrokerConfigCommand(
  'nats-config',
  'usage: fleet-server nats-config --out DIR [--config fleet.json] [--replicas N]',
)
const values = command.parse(() => parseArgs({ options: BROKER_CONFIG_OPTIONS }))
const replicas = command.positive('replicas', values.replicas, 1)

const { fleet, kiosks } = await command.readBrokerUsers(values.config)
const written = await writeNatsAuthFile({ dir: resolve(values.out), fleet, kiosks, replicas })
for (const s of written.skipped) {
  process.stderr.write(`fleet-server nats-config: kiosk ${s.kioskId} left out (${s.reason})\n`)
}
const users = fleetReplicaUsers(fleet.username, replicas).join(', ')
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

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
import { BROKER_CONFIG_OPTIONS, BrokerConfigCommand } from './broker-config-cli.ts'
import { fleetReplicaUsers, mosquittoConf, writeMosquittoAuthFiles } from './mosquitto-config.ts'

const command = new BrokerConfigCommand(
  'mosquitto-config',
  'usage: fleet-server mosquitto-config --out DIR [--config fleet.json] [--replicas N] [--listener PORT]' +
    ' [--persistence-dir DIR] [--outbox-per-kiosk N]',
)
const values = command.parse(() =>
  parseArgs({
    options: {
      ...BROKER_CONFIG_OPTIONS,
      listener: { type: 'string' },
      'persistence-dir': { type: 'string' },
      'outbox-per-kiosk': { type: 'string' },
    },
  }),
)
const out = resolve(values.out)
const replicas = command.positive('replicas', values.replicas, 1)
const outboxPerKiosk = command.positive('outbox-per-kiosk', values['outbox-per-kiosk'], 50_000)

const { fleet, kiosks } = await command.readBrokerUsers(values.config)
const files = await writeMosquittoAuthFiles({ dir: out, fleet, kiosks, replicas })
const confFile = join(out, 'mosquitto.conf')
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
const users = fleetReplicaUsers(fleet.username, replicas).join(', ')
process.stdout.write(
  [
    `wrote ${files.passwordFile} (${kiosks.length} kiosks; fleet users ${users}), ${files.aclFile} and ${confFile}`,
    `Run mosquitto -c ${confFile} (or include its lines in yours).`,
    'Each fleet-server replica logs in as its own user (FLEET_MQTT__USERNAME) with the same password.',
    'Make the files readable by the user Mosquitto runs as; after a rerun, send Mosquitto SIGHUP.',
    '',
  ].join('\n'),
)

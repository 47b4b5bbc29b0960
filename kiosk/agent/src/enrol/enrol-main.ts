/**
 * Enrols a kiosk: trades the one-time token an admin created (POST /api/kiosks/{id}/enrolment) for
 * the kiosk's MQTT credentials, written with mode 0600. The agent then reads them from its config or
 * from KIOSK_MQTT__USERNAME / KIOSK_MQTT__PASSWORD.
 *
 * Usage: kiosk-agent-enrol --server URL --kiosk-id ID --token T --out FILE [--format json|env] [--ca FILE]
 * `--ca`: the CA of the fleet's HTTPS certificate when the system does not trust it; it is copied
 * beside FILE (`….fleet-ca.pem`) and named in it as the update channel's trust (`updates.tls.ca`),
 * since updates come from the same fleet. A broker CA the fleet hands back is written beside FILE
 * too (`….mqtt-ca.pem`) and named in it (`mqtt.tls.ca`).
 * Exit codes: 0 enrolled, 1 refused or unreachable, 2 bad usage.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  type CredentialsFormat,
  formatCredentials,
  writeBrokerCa,
  writeCredentialsFile,
  writeFleetCa,
} from './credentials-file.ts'
import { EnrolmentError, requestKioskCredentials } from './enrol-client.ts'

const USAGE =
  'usage: kiosk-agent-enrol --server URL --kiosk-id ID --token TOKEN --out FILE [--format json|env] [--ca FILE]'

function fail(message: string, exitCode: number): never {
  process.stderr.write(`kiosk-agent-enrol: ${message}\n`)
  process.exit(exitCode)
}

let values: Record<string, string | boolean | undefined>
try {
  values = parseArgs({
    options: {
      server: { type: 'string' },
      'kiosk-id': { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'json' },
      ca: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`, 2)
}
if (values.help === true) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
const { server, 'kiosk-id': kioskId, token, out, format } = values
if (typeof server !== 'string' || typeof kioskId !== 'string' || typeof token !== 'string' || typeof out !== 'string') {
  fail(USAGE, 2)
}
if (format !== 'json' && format !== 'env') fail(`--format must be json or env\n${USAGE}`, 2)

try {
  const ca = typeof values.ca === 'string' ? readFileSync(values.ca) : undefined
  const credentials = await requestKioskCredentials({ server, kioskId, token, ...(ca === undefined ? {} : { ca }) })
  const caFiles = {
    mqtt: credentials.mqtt.ca === undefined ? undefined : writeBrokerCa(out, credentials.mqtt.ca),
    updates: ca === undefined ? undefined : writeFleetCa(out, ca),
  }
  writeCredentialsFile(out, formatCredentials(credentials, format as CredentialsFormat, caFiles))
  process.stdout.write(`enrolled ${kioskId}: MQTT credentials written to ${out} (mode 0600)\n`)
} catch (err) {
  if (err instanceof EnrolmentError) fail(`enrolment failed (${err.code}): ${err.message}`, 1)
  throw err
}

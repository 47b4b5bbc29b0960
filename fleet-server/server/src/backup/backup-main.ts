/**
 * `fleet-server backup --out DIR [--config fleet.json]`: a backup of the fleet's database and update
 * blobs into a new directory (docs/operations.md "Backup and restore"). With PostgreSQL it runs
 * beside the live server (one consistent snapshot); embedded PGlite must be stopped first.
 *
 * `fleet-server restore --from DIR [--version-floor N] [--config fleet.json]`: restores a backup into
 * the configured database (which must hold no fleet data) and `updates.dir`. The next fleet-server
 * start re-signs the TUF metadata above the restore's version floor, so kiosks accept it.
 *
 * Keys are never in a backup. Exit codes: 0 done, 1 failed (the message names the code), 2 bad usage.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { loadFleetConfig } from '../config/load-fleet-config.ts'
import { migrate } from '../db/migrate.ts'
import { openDatabase } from '../fleet-server.ts'
import { BackupError, createBackup, restoreBackup } from './backup.ts'

const USAGE = [
  'usage: fleet-server backup --out DIR [--config fleet.json]',
  '       fleet-server restore --from DIR [--version-floor N] [--config fleet.json]',
].join('\n')

function fail(message: string, code = 2): never {
  process.stderr.write(`fleet-server: ${message}\n`)
  process.exit(code)
}

const command = process.argv[2]
if (command !== 'backup' && command !== 'restore') fail(USAGE)
let values: { out?: string; from?: string; config?: string; 'version-floor'?: string }
try {
  values = parseArgs({
    args: process.argv.slice(3),
    options: {
      out: { type: 'string' },
      from: { type: 'string' },
      config: { type: 'string', short: 'c' },
      'version-floor': { type: 'string' },
    },
  }).values
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`)
}
let config: ReturnType<typeof loadFleetConfig>
try {
  config = loadFleetConfig({ file: values.config ?? (process.env.FLEET_CONFIG || undefined), env: process.env })
} catch (err) {
  if (err instanceof ConfigError) fail(err.message)
  throw err
}
const logger = pino({ level: config.log.level, base: { app: 'fleet-server', command } })
const db = await openDatabase(config.database, logger)
try {
  await migrate(db, logger)
  if (command === 'backup') {
    if (values.out === undefined) fail(USAGE)
    const manifest = await createBackup({ db, updatesDir: config.updates.dir, out: resolve(values.out) })
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
    process.stdout.write(
      `backup written to ${resolve(values.out)}: ${rows} rows, ${manifest.blobs.files} update blobs, TUF ${JSON.stringify(manifest.tufVersions)}\n` +
        'keys are not in it: keep online-keys.json and the offline root keys as docs/operations.md says\n',
    )
  } else {
    if (values.from === undefined) fail(USAGE)
    const floor = values['version-floor'] === undefined ? undefined : Number(values['version-floor'])
    if (floor !== undefined && !Number.isSafeInteger(floor)) fail('--version-floor must be an integer')
    const result = await restoreBackup({
      db,
      updatesDir: config.updates.dir,
      from: resolve(values.from),
      ...(floor === undefined ? {} : { versionFloor: floor }),
    })
    process.stdout.write(
      `restored ${result.rows} rows from the backup of ${result.manifest.createdAt}; TUF version floor ${result.versionFloor}\n` +
        'start the fleet-server with its online keys: it re-signs targets, snapshot and timestamp above the floor;\n' +
        'vendors whose roles changed after the backup re-sign them (fleetctl vendor resign)\n',
    )
  }
} catch (err) {
  if (err instanceof BackupError) fail(`${err.code}: ${err.message}`, 1)
  throw err
} finally {
  await db.close()
}

/**
 * npm run sim -- --kiosks 10000 [--workers 4] [--url mqtt://127.0.0.1:1883] [--messages 100]
 *   [--prefix sim] [--inflight 64] (--credentials creds.json | --issue-credentials
 *   [--database-url postgres://…] [--schema name])
 *
 * Runs thousands of contract-faithful simulated kiosks (sim-kiosk.ts) from a few worker processes:
 * each connects with its own MQTT credential, publishes birth and `online`, drains `--messages`
 * health snapshots through its outbox and answers pings. Credentials come from a JSON file
 * `{kioskId: password}` (e.g. kept from enrolment) or are issued into the fleet's credential store
 * (`--issue-credentials`, the database of FLEET_DATABASE__URL/SCHEMA; on Mosquitto rerun
 * `fleet-server mosquitto-config` and SIGHUP it). Prints a progress line, then totals.
 */
import { fork } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { KioskCredentials, migrate, newKioskPassword, openPostgresDatabase } from '@fleet/server'
import pino from 'pino'

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '100' },
    workers: { type: 'string', default: '4' },
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    messages: { type: 'string', default: '100' },
    prefix: { type: 'string', default: 'sim' },
    inflight: { type: 'string', default: '64' },
    credentials: { type: 'string' },
    'issue-credentials': { type: 'boolean', default: false },
    'database-url': { type: 'string', default: process.env.FLEET_DATABASE__URL },
    schema: { type: 'string', default: process.env.FLEET_DATABASE__SCHEMA },
    'save-credentials': { type: 'string' },
  },
})

const kiosks = Number(values.kiosks)
const workers = Math.max(1, Math.min(Number(values.workers), kiosks))
const messages = Number(values.messages)
if (!Number.isInteger(kiosks) || kiosks < 1 || !Number.isInteger(messages) || messages < 0) {
  process.stderr.write('sim: --kiosks must be ≥ 1 and --messages ≥ 0\n')
  process.exit(2)
}
const ids = Array.from({ length: kiosks }, (_, i) => `${values.prefix}-${String(i).padStart(5, '0')}`)

async function credentials(): Promise<Record<string, string>> {
  if (values.credentials !== undefined)
    return JSON.parse(readFileSync(values.credentials, 'utf8')) as Record<string, string>
  if (!values['issue-credentials']) {
    process.stderr.write('sim: give --credentials FILE or --issue-credentials (with the fleet database)\n')
    process.exit(2)
  }
  const url = values['database-url']
  if (url === undefined) {
    process.stderr.write('sim: --issue-credentials needs --database-url or FLEET_DATABASE__URL\n')
    process.exit(2)
  }
  const db = await openPostgresDatabase({ url, schema: values.schema })
  try {
    await migrate(db, pino({ level: 'silent' }))
    const store = new KioskCredentials(db)
    const issued: Record<string, string> = {}
    for (const id of ids) issued[id] = await store.issue(id, { password: newKioskPassword() })
    return issued
  } finally {
    await db.close()
  }
}

interface Progress {
  worker: number
  connected: number
  acked: number
  answered: number
  done: boolean
  error?: string
}

const creds = await credentials()
if (values['save-credentials'] !== undefined)
  writeFileSync(values['save-credentials'], JSON.stringify(creds), { mode: 0o600 })
const progress = new Map<number, Progress>()
const startedAt = Date.now()
const total = kiosks * messages
const line = () => {
  const all = [...progress.values()]
  const acked = all.reduce((n, p) => n + p.acked, 0)
  const connected = all.reduce((n, p) => n + p.connected, 0)
  const s = (Date.now() - startedAt) / 1000
  process.stdout.write(
    `\r${connected}/${kiosks} kiosks connected, ${acked}/${total} messages acknowledged, ${Math.round(acked / Math.max(s, 0.001))} msg/s, ${s.toFixed(0)} s   `,
  )
}
const timer = setInterval(line, 500)
const children = Array.from({ length: workers }, (_, w) => {
  const mine = ids.filter((_, i) => i % workers === w)
  const child = fork(new URL('./sim-worker.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      SIM_JOB: JSON.stringify({
        worker: w,
        url: values.url,
        messages,
        inflight: Number(values.inflight),
        kiosks: mine.map((id) => ({ id, password: creds[id] })),
      }),
    },
  })
  child.on('message', (p: Progress) => progress.set(w, p))
  return new Promise<void>((resolve) => child.once('exit', () => resolve()))
})
await Promise.all(children)
clearInterval(timer)
line()
const errors = [...progress.values()].filter((p) => p.error !== undefined)
process.stdout.write(`\ndone in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`)
for (const e of errors) process.stderr.write(`worker ${e.worker}: ${e.error}\n`)
process.exit(errors.length === 0 ? 0 : 1)

import { writeFileSync } from 'node:fs'
import type { AuditEntryView } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { table } from '../table.ts'

type Entry = AuditEntryView

export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('the append-only audit log (admin, auditor)')

  audit
    .command('list')
    .option('--limit <n>', 'entries', '50')
    .option('--actor <user>', 'only this actor')
    .option('--action <action>', 'only this action, e.g. command.reboot')
    .option('--json', 'machine-readable output')
    .action(async (o: { limit: string; actor?: string; action?: string; json?: boolean }) => {
      const query = new URLSearchParams({ limit: o.limit })
      if (o.actor) query.set('actor', o.actor)
      if (o.action) query.set('action', o.action)
      const { entries } = await loggedInClient(io).get<{ entries: Entry[] }>(`/api/audit?${query}`)
      if (o.json) return printJson(io, entries)
      io.out(
        table(
          ['SEQ', 'TIME', 'ACTOR', 'ROLE', 'ACTION', 'TARGET', 'OUTCOME', 'FROM'],
          entries.map((e) => [
            e.seq,
            e.ts.replace('T', ' ').slice(0, 19),
            e.actor,
            e.role,
            e.action,
            e.target,
            e.outcome,
            e.ip,
          ]),
        ),
      )
    })

  audit
    .command('verify')
    .description('recompute the hash chain; exits 1 when it is broken')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const result = await loggedInClient(io).get<{ ok: boolean; entries: number; brokenAt?: number; reason?: string }>(
        '/api/audit/verify',
      )
      if (o.json) printJson(io, result)
      else if (result.ok) io.out(`audit log intact: ${result.entries} entries`)
      else
        io.out(
          `audit log BROKEN at entry ${result.brokenAt}: ${result.reason} (${result.entries} entries verified before it)`,
        )
      if (!result.ok) throw new FleetctlError('', EXIT.failed)
    })

  audit
    .command('export')
    .description('the whole log, oldest first')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (o: { format: string; out: string }) => {
      const text = await loggedInClient(io).get<string | object>(
        `/api/audit/export?format=${encodeURIComponent(o.format)}`,
      )
      writeFileSync(o.out, typeof text === 'string' ? text : JSON.stringify(text))
      io.out(`wrote ${o.out}`)
    })
}

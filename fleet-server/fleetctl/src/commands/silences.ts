import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { parseDuration } from '../options.ts'
import { table } from '../table.ts'

interface Silence {
  id: number
  kioskId: string | null
  siteId: string | null
  rule: string | null
  reason: string
  createdBy: string
  startsAt: string
  expiresAt: string
  endedBy: string | null
  endedAt: string | null
}

const time = (iso: string | null) => iso?.replace('T', ' ').slice(0, 16) ?? ''

/** `fleetctl silences`: alerts silenced by kiosk, site and/or rule, with a reason and an expiry (README "Alerts"). */
export function registerSilences(program: Command, io: Io): void {
  const silences = program.command('silences').description('silence alerts of a kiosk, a site or a rule for a while')

  silences
    .command('list')
    .option('--all', 'ended and expired ones too')
    .option('--json', 'machine-readable output')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const query = o.all ? '?all=true' : ''
      const { silences: list } = await loggedInClient(io).get<{ silences: Silence[] }>(`/api/alerts/silences${query}`)
      if (o.json) return printJson(io, list)
      io.out(
        table(
          ['ID', 'KIOSK', 'SITE', 'RULE', 'FROM', 'UNTIL', 'ENDED', 'BY', 'REASON'],
          list.map((s) => [
            s.id,
            s.kioskId ?? '*',
            s.siteId ?? '*',
            s.rule ?? '*',
            time(s.startsAt),
            time(s.expiresAt),
            time(s.endedAt),
            s.createdBy,
            s.reason,
          ]),
        ),
      )
    })

  silences
    .command('add')
    .description('silence alerts (at most 30 days); name at least a kiosk or a site, or be an admin')
    .option('--kiosk <id>', 'only this kiosk')
    .option('--site <id>', 'only this site')
    .option('--rule <rule>', 'only this rule, e.g. kioskOffline')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--for <duration>', 'how long, e.g. 2h or 3d', '2h')
    .option('--until <time>', 'until this time (ISO 8601) instead of --for')
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        kiosk?: string
        site?: string
        rule?: string
        reason: string
        for: string
        until?: string
        json?: boolean
      }) => {
        if (o.until !== undefined && Number.isNaN(Date.parse(o.until))) {
          throw new FleetctlError(`--until ${o.until} is not a time like 2026-12-24T08:00:00+08:00`, EXIT.usage)
        }
        const silence = await loggedInClient(io).post<Silence>('/api/alerts/silences', {
          ...(o.kiosk === undefined ? {} : { kioskId: o.kiosk }),
          ...(o.site === undefined ? {} : { siteId: o.site }),
          ...(o.rule === undefined ? {} : { rule: o.rule }),
          reason: o.reason,
          ...(o.until === undefined
            ? { durationMs: parseDuration(o.for, '--for') }
            : { expiresAt: new Date(o.until).toISOString() }),
        })
        if (o.json) return printJson(io, silence)
        io.out(`silence ${silence.id} until ${time(silence.expiresAt)}`)
      },
    )

  silences
    .command('end <id>')
    .description('end a silence before it expires')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => {
      const client = loggedInClient(io)
      const answer = await client.raw('DELETE', `/api/alerts/silences/${encodeURIComponent(id)}`)
      if (answer.status >= 300) throw client.failure(answer)
      const silence = JSON.parse(answer.text) as Silence
      if (o.json) return printJson(io, silence)
      io.out(`silence ${silence.id} ended`)
    })
}

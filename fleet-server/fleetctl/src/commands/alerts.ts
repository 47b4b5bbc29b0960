import type { AlertView } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { type PageOptions, readPages, reportRange, withPageOptions } from '../paging.ts'
import { table } from '../table.ts'

type Alert = AlertView
interface AlertListOptions extends PageOptions {
  state: string
  kiosk?: string
  site?: string
  rule?: string
  severity?: string
  from?: string
  to?: string
  json?: boolean
}

export function registerAlerts(program: Command, io: Io): void {
  const alerts = program.command('alerts').description('alerts within your scope')

  withPageOptions(
    alerts
      .command('list')
      .description('open alerts, or their history, filtered by the server')
      .option('--state <state>', 'open | active | cleared | resolved | all', 'open')
      .option('--kiosk <id>', 'only this kiosk')
      .option('--site <id>', 'only this site')
      .option('--rule <rule>', 'only this rule (kioskOffline, deviceFault, paperOut, …)')
      .option('--severity <severity>', 'info | warning | critical')
      .option('--from <time>', 'raised at or after (ISO 8601)')
      .option('--to <time>', 'raised before (ISO 8601)')
      .option('--json', 'machine-readable output'),
    200,
  ).action(async (o: AlertListOptions) => {
    const query = new URLSearchParams({ state: o.state })
    for (const key of ['kiosk', 'site', 'rule', 'severity', 'from', 'to'] as const) {
      const value = o[key]
      if (value) query.set(key, value)
    }
    const page = await readPages<Alert>(loggedInClient(io), '/api/alerts', query, 'alerts', o, 1000)
    reportRange(io, page)
    if (o.json) return printJson(io, page.items)
    io.out(
      table(
        ['ID', 'SEVERITY', 'STATE', 'KIOSK', 'RULE', 'DEVICE', 'RAISED', 'ACK', 'MESSAGE'],
        page.items.map((a) => [
          a.id,
          a.severity,
          a.state,
          a.kioskId,
          a.rule,
          a.deviceId || '',
          a.raisedAt.replace('T', ' ').slice(0, 19),
          a.acknowledgedBy ?? '',
          a.message,
        ]),
      ),
    )
  })

  alerts
    .command('ack <id>')
    .description('acknowledge an alert (resolves a latched one whose condition cleared)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => {
      const alert = await loggedInClient(io).post<Alert>(`/api/alerts/${encodeURIComponent(id)}/ack`)
      if (o.json) printJson(io, alert)
      else io.out(`alert ${alert.id} acknowledged (${alert.state})`)
    })

  alerts
    .command('assign <id> <user>')
    .description('assign an alert to a user')
    .action(async (id: string, user: string) => {
      const alert = await loggedInClient(io).post<Alert>(`/api/alerts/${encodeURIComponent(id)}/assign`, {
        userId: user,
      })
      io.out(`alert ${alert.id} assigned to ${alert.assignedTo}`)
    })
}

import type { AlertView } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { table } from '../table.ts'

type Alert = AlertView

export function registerAlerts(program: Command, io: Io): void {
  const alerts = program.command('alerts').description('alerts within your scope')

  alerts
    .command('list')
    .option('--state <state>', 'open | active | cleared | resolved | all', 'open')
    .option('--kiosk <id>', 'only this kiosk')
    .option('--json', 'machine-readable output')
    .action(async (o: { state: string; kiosk?: string; json?: boolean }) => {
      const query = new URLSearchParams({ state: o.state })
      if (o.kiosk) query.set('kiosk', o.kiosk)
      const { alerts: list } = await loggedInClient(io).get<{ alerts: Alert[] }>(`/api/alerts?${query}`)
      if (o.json) return printJson(io, list)
      io.out(
        table(
          ['ID', 'SEVERITY', 'STATE', 'KIOSK', 'RULE', 'DEVICE', 'RAISED', 'ACK', 'MESSAGE'],
          list.map((a) => [
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

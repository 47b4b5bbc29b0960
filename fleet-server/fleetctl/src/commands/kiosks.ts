import type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { table } from '../table.ts'

type Peripheral = PeripheralView
type Kiosk = KioskView
/** The peripheral status fields fleetctl reads (DeviceStatus of the MQTT contract). */
type Status = { state?: string; paper?: string; cover?: string; errorCode?: string } | null

const statusText = (s: Status) =>
  s === null
    ? '—'
    : [
        s.state,
        s.paper && s.paper !== 'full' ? `paper ${s.paper}` : '',
        s.cover === 'open' ? 'cover open' : '',
        s.errorCode ?? '',
      ]
        .filter(Boolean)
        .join(', ')

const faulty = (p: Peripheral) =>
  p.status !== null &&
  (p.status.state !== 'online' || p.status.paper === 'out' || p.status.paper === 'low' || p.status.cover === 'open')

export function registerKiosks(program: Command, io: Io): void {
  const kiosks = program.command('kiosks').description('the fleet, as the API shows it to you (your scope)')

  kiosks
    .command('list')
    .description('list kiosks with presence and faulty peripherals')
    .option('--site <id>', 'only this site')
    .option('--type <machineType>', 'id | license | tax | social-security | comprehensive')
    .option('--department <id>', 'only this department')
    .option('--state <state>', 'online | offline | unknown')
    .option('--json', 'machine-readable output')
    .action(async (o: { site?: string; type?: string; department?: string; state?: string; json?: boolean }) => {
      const query = new URLSearchParams()
      if (o.site) query.set('site', o.site)
      if (o.type) query.set('machineType', o.type)
      if (o.department) query.set('department', o.department)
      if (o.state) query.set('state', o.state)
      const { kiosks: list } = await loggedInClient(io).get<{ kiosks: Kiosk[] }>(`/api/kiosks?${query}`)
      if (o.json) return printJson(io, list)
      io.out(
        table(
          ['KIOSK', 'TYPE', 'SITE', 'STATE', 'LAST SEEN', 'FAULTS'],
          list.map((k) => [
            k.id,
            k.machineType,
            k.site?.name,
            k.state,
            k.lastSeenAt?.replace('T', ' ').slice(0, 19),
            k.peripherals
              .filter(faulty)
              .map((p) => `${p.deviceId}: ${statusText(p.status)}`)
              .join('; ') || '',
          ]),
        ),
      )
    })

  kiosks
    .command('show <kioskId>')
    .description('one kiosk: peripherals with status and firmware, services')
    .option('--json', 'machine-readable output')
    .action(async (kioskId: string, o: { json?: boolean }) => {
      const k = await loggedInClient(io).get<Kiosk>(`/api/kiosks/${encodeURIComponent(kioskId)}`)
      if (o.json) return printJson(io, k)
      io.out(`${k.id}  ${k.machineType ?? ''}  ${k.state}  site ${k.site?.name ?? '—'}  app ${k.appVersion ?? '—'}`)
      io.out('')
      io.out(
        table(
          ['DEVICE', 'CLASS', 'VENDOR', 'MODEL', 'FIRMWARE', 'STATUS'],
          k.peripherals.map((p) => [p.deviceId, p.deviceClass, p.vendor, p.model, p.firmware, statusText(p.status)]),
        ),
      )
      io.out('')
      io.out(
        table(
          ['SERVICE', 'AVAILABLE'],
          k.services.map((s) => [s.serviceId, s.available ? 'yes' : 'no']),
        ),
      )
    })
}

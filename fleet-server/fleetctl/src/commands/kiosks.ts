import { writeFileSync } from 'node:fs'
import type { KioskView, PeripheralView } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { type PageOptions, readPages, reportRange, withPageOptions } from '../paging.ts'
import { table } from '../table.ts'

type Peripheral = PeripheralView
type Kiosk = KioskView
interface KioskListOptions extends PageOptions {
  search?: string
  site?: string
  town?: string
  county?: string
  type?: string
  department?: string
  state?: string
  appVersion?: string
  firmware?: string
  faulty?: boolean
  serviceUnavailable?: boolean
  json?: boolean
}
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

  withPageOptions(
    kiosks
      .command('list')
      .description('list kiosks with presence and faulty peripherals, searched and filtered by the server')
      .option('-q, --search <text>', 'part of the kiosk id, site name, town or county')
      .option('--site <id>', 'only this site')
      .option('--town <name>', 'only this town')
      .option('--county <name>', 'only this county')
      .option('--type <machineType>', 'id | license | tax | social-security | comprehensive')
      .option('--department <id>', 'only this department')
      .option('--state <state>', 'online | offline | unknown')
      .option('--app-version <version>', 'only kiosks running this app version')
      .option('--firmware <version>', 'only kiosks with a peripheral on this firmware')
      .option('--faulty', 'only kiosks with a peripheral in fault')
      .option('--service-unavailable', 'only kiosks with a citizen service unavailable')
      .option('--json', 'machine-readable output'),
    100,
  ).action(async (o: KioskListOptions) => {
    const query = new URLSearchParams()
    const filters: [keyof KioskListOptions, string][] = [
      ['search', 'q'],
      ['site', 'site'],
      ['town', 'town'],
      ['county', 'county'],
      ['type', 'machineType'],
      ['department', 'department'],
      ['state', 'state'],
      ['appVersion', 'appVersion'],
      ['firmware', 'firmware'],
    ]
    for (const [option, param] of filters) if (typeof o[option] === 'string') query.set(param, o[option] as string)
    if (o.faulty) query.set('fault', 'true')
    if (o.serviceUnavailable) query.set('serviceUnavailable', 'true')
    const page = await readPages<Kiosk>(loggedInClient(io), '/api/kiosks', query, 'kiosks', o, 5000)
    reportRange(io, page)
    if (o.json) return printJson(io, page.items)
    io.out(
      table(
        ['KIOSK', 'TYPE', 'SITE', 'STATE', 'LAST SEEN', 'FAULTS'],
        page.items.map((k) => [
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

  kiosks
    .command('screenshot <kioskId>')
    .description(
      "what the kiosk's screen shows now, saved to a file (JPEG): never while a citizen is being served (the kiosk refuses); admin and site users",
    )
    .requiredOption('--out <file>', 'where to write the picture')
    .option('--max-side <px>', "longest side of the picture, 240–1920 (the kiosk's default: 960)")
    .option('--timeout <ms>', 'how long to wait for the kiosk', '15000')
    .action(async (kioskId: string, o: { out: string; maxSide?: string; timeout: string }) => {
      const client = loggedInClient(io)
      const path = `/api/kiosks/${encodeURIComponent(kioskId)}`
      const answer = await client.post<{
        status: string
        data?: { taken?: boolean; refused?: string; width?: number; height?: number; takenAt?: string }
        error?: { code?: string; message?: string }
      }>(`${path}/commands/screenshot`, {
        params: o.maxSide === undefined ? {} : { maxSide: Number(o.maxSide) },
        timeoutMs: Number(o.timeout),
        queue: false,
      })
      if (answer.status !== 'ok') {
        const why = answer.error ? `${answer.error.code}: ${answer.error.message}` : answer.status
        throw new FleetctlError(`${kioskId}: no screenshot (${why})`, EXIT.failed)
      }
      if (answer.data?.taken !== true) {
        throw new FleetctlError(
          `${kioskId} refused: ${answer.data?.refused ?? 'unknown'}${answer.data?.refused === 'sessionActive' ? ' (a citizen is being served; try again when the kiosk is idle)' : ''}`,
          EXIT.failed,
        )
      }
      const bytes = await client.download(`${path}/screenshot/image`)
      writeFileSync(o.out, bytes)
      io.out(
        `${o.out}: ${answer.data.width}×${answer.data.height}, ${bytes.length} bytes, taken ${answer.data.takenAt}`,
      )
    })
}

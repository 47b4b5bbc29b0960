import { isDisruptiveCommand } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { list } from '../options.ts'

/** `key=value` pairs; values that parse as JSON are sent as JSON (numbers, booleans). */
function parseParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new FleetctlError(`--param wants key=value, got ${pair}`, EXIT.usage)
    const raw = pair.slice(eq + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
    params[pair.slice(0, eq)] = value
  }
  return params
}

interface Outcome {
  transaction: string
  status: string
  data?: unknown
  error?: { code: string; message: string }
  expiresAt?: string
}

interface CommandOptions {
  param: string[]
  timeout: string
  ttl: string
  queueTtl?: string
  queue: boolean
  site?: string
  kiosks?: string[]
  yes?: boolean
  json?: boolean
}

/**
 * The confirmation of a disruptive command: `true` with `--yes`, else the id typed at the prompt
 * (the kiosk's or the site's). Without a terminal and without `--yes`, nothing is sent.
 */
async function confirmation(io: Io, command: string, id: string | undefined, yes: boolean | undefined) {
  if (!isDisruptiveCommand(command) || yes) return yes ? true : undefined
  const what = id ?? 'these kiosks'
  const typed = await io.ask?.(`${command} takes ${what} out of service. Type ${id ?? 'yes'} to go on: `)
  if (typed === undefined) {
    throw new FleetctlError(`${command} is disruptive: add --yes to confirm`, EXIT.usage)
  }
  if (typed.trim() !== (id ?? 'yes')) throw new FleetctlError('not confirmed: nothing was sent', EXIT.usage)
  return id ?? true
}

function describe(io: Io, kioskId: string, outcome: Outcome, timeout: string): void {
  if (outcome.status === 'ok') io.out(`${kioskId} ok ${JSON.stringify(outcome.data ?? {}, null, 2)}`)
  else if (outcome.status === 'queued')
    io.out(`${kioskId} queued: offline, runs when it returns (until ${outcome.expiresAt})`)
  else if (outcome.status === 'timeout') io.out(`${kioskId} timeout: no answer within ${timeout} ms`)
  else io.out(`${kioskId} error ${outcome.error?.code}: ${outcome.error?.message}`)
}

export function registerCommand(program: Command, io: Io): void {
  program
    .command('command <kioskIdOrCommand> [command]')
    .description(
      'send a remote command and wait for the answer: ping, get-health, rebirth, restart-agent, reboot, self-test, print-test-page, enter-maintenance, leave-maintenance, collect-logs. ' +
        '`command KIOSK CMD` for one kiosk, `command --site SITE CMD` or `command --kiosks a,b CMD` for several. ' +
        'An offline kiosk gets it queued until it returns. reboot, restart-agent and enter-maintenance ask first (or --yes)',
    )
    .option('--param <key=value...>', 'command parameter (repeatable), e.g. --param reason="paper roll"', [])
    .option('--timeout <ms>', 'how long to wait for the kiosk', '10000')
    .option('--ttl <ms>', 'when the request expires (a later arrival is never executed)', '30000')
    .option('--queue-ttl <ms>', "how long a command to an offline kiosk waits for it (the server's default: 24 h)")
    .option('--no-queue', 'send to an offline kiosk anyway instead of queuing')
    .option('--site <siteId>', 'every kiosk of a site')
    .option('--kiosks <ids>', 'several kiosks (comma-separated or repeated)', list, [])
    .option('-y, --yes', 'confirm a disruptive command (reboot, restart-agent, enter-maintenance) without asking')
    .option('--json', 'machine-readable output')
    .action(async (first: string, second: string | undefined, o: CommandOptions) => {
      const kioskIds = o.kiosks ?? []
      const many = o.site !== undefined || kioskIds.length > 0
      if (o.site !== undefined && kioskIds.length > 0) {
        throw new FleetctlError('give --site or --kiosks, not both', EXIT.usage)
      }
      const command = many ? first : second
      if (command === undefined || (many && second !== undefined)) {
        throw new FleetctlError(
          'usage: fleetctl command KIOSK COMMAND | fleetctl command --site SITE COMMAND | --kiosks a,b COMMAND',
          EXIT.usage,
        )
      }
      const body = {
        params: parseParams(o.param),
        timeoutMs: Number(o.timeout),
        ttlMs: Number(o.ttl),
        ...(o.queueTtl === undefined ? {} : { queueTtlMs: Number(o.queueTtl) }),
        ...(o.queue ? {} : { queue: false }),
      }
      const client = loggedInClient(io)
      if (!many) {
        const confirm = await confirmation(io, command, first, o.yes)
        const result = await client.post<Outcome>(
          `/api/kiosks/${encodeURIComponent(first)}/commands/${encodeURIComponent(command)}`,
          { ...body, ...(confirm === undefined ? {} : { confirm }) },
        )
        if (o.json) printJson(io, result)
        else describe(io, first, result, o.timeout)
        if (result.status !== 'ok' && result.status !== 'queued') throw new FleetctlError('', EXIT.failed)
        return
      }
      const confirm = await confirmation(io, command, o.site, o.yes)
      const result = await client.post<{
        batch: string
        summary: { total: number; ok: number; error: number; timeout: number; queued: number }
        kiosks: (Outcome & { kioskId: string })[]
      }>(`/api/commands/${encodeURIComponent(command)}`, {
        ...body,
        target: o.site !== undefined ? { siteId: o.site } : { kioskIds },
        ...(confirm === undefined ? {} : { confirm }),
      })
      if (o.json) printJson(io, result)
      else {
        for (const k of result.kiosks) describe(io, k.kioskId, k, o.timeout)
        const s = result.summary
        io.out(`${s.total} kiosks: ${s.ok} ok, ${s.queued} queued, ${s.error} error, ${s.timeout} timeout`)
      }
      if (result.summary.ok + result.summary.queued !== result.summary.total) throw new FleetctlError('', EXIT.failed)
    })
}

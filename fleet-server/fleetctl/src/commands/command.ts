import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'

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

export function registerCommand(program: Command, io: Io): void {
  program
    .command('command <kioskId> <command>')
    .description(
      'send a remote command and wait for the answer: ping, get-health, rebirth, restart-agent, reboot, self-test, print-test-page, enter-maintenance, leave-maintenance, collect-logs',
    )
    .option('--param <key=value...>', 'command parameter (repeatable), e.g. --param reason="paper roll"', [])
    .option('--timeout <ms>', 'how long to wait for the kiosk', '10000')
    .option('--ttl <ms>', 'when the request expires (a later arrival is never executed)', '30000')
    .option('--json', 'machine-readable output')
    .action(
      async (
        kioskId: string,
        command: string,
        o: { param: string[]; timeout: string; ttl: string; json?: boolean },
      ) => {
        const result = await loggedInClient(io).post<{
          status: string
          data?: unknown
          error?: { code: string; message: string }
        }>(`/api/kiosks/${encodeURIComponent(kioskId)}/commands/${encodeURIComponent(command)}`, {
          params: parseParams(o.param),
          timeoutMs: Number(o.timeout),
          ttlMs: Number(o.ttl),
        })
        if (o.json) printJson(io, result)
        else if (result.status === 'ok') io.out(`ok ${JSON.stringify(result.data ?? {}, null, 2)}`)
        else if (result.status === 'timeout') io.out(`timeout: ${kioskId} did not answer within ${o.timeout} ms`)
        else io.out(`error ${result.error?.code}: ${result.error?.message}`)
        if (result.status !== 'ok') throw new FleetctlError('', EXIT.failed)
      },
    )
}

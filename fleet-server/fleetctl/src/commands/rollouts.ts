import type { RolloutPreview } from '@kiosk-fleet/protocol/http'
import type { Command } from 'commander'
import { type ApiClient, EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { list, parseDuration, parseFraction, parseGroups, parsePositiveInt } from '../options.ts'
import { FINAL_STATUSES, groupProgress, type Rollout, renderStatus } from '../rollout-view.ts'
import { table } from '../table.ts'

type Preview = RolloutPreview

const day = (iso: string | null | undefined) => iso?.replace('T', ' ').slice(0, 19)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What `status` exits with: 0 unless the rollout ended badly, so scripts can gate on it. */
export function exitCodeOf(rollout: Rollout): number {
  if (rollout.status === 'halted') return EXIT.halted
  if (rollout.status === 'aborted') return EXIT.aborted
  return EXIT.ok
}

const excludedTotal = (preview: Preview) => Object.values(preview.excluded ?? {}).reduce((n, v) => n + v, 0)

function describePreview(io: Io, preview: Preview): void {
  io.out(
    `${preview.selected} kiosk(s) selected${preview.matched === undefined ? '' : ` of ${preview.matched} matching the filter`}`,
  )
  for (const [reason, n] of Object.entries(preview.excluded ?? {})) if (n > 0) io.out(`  excluded ${reason}: ${n}`)
  const leftOut = preview.leftOut ?? []
  if (leftOut.length > 0)
    io.out(`left out${leftOut.length < excludedTotal(preview) ? ` (the first ${leftOut.length})` : ''}:`)
  for (const k of leftOut) io.out(`    ${k.kioskId}: ${k.reason} — ${k.detail}`)
  const sizes = preview.groups ?? []
  if (sizes.length > 0) io.out(`groups: ${sizes.map((n, i) => `${i + 1}: ${n}`).join(' · ')}`)
}

/** The rollout with its per-group counts, and (unless `withKiosks` is false) its kiosks. */
async function getRollout(client: ApiClient, id: string, withKiosks: boolean): Promise<Rollout> {
  const path = `/api/rollouts/${encodeURIComponent(id)}`
  const [rollout, kiosks] = await Promise.all([
    client.get<Rollout>(path),
    withKiosks ? client.get<{ kiosks: Rollout['kiosks'] }>(`${path}/kiosks?limit=5000`) : undefined,
  ])
  return kiosks?.kiosks === undefined ? rollout : { ...rollout, kiosks: kiosks.kiosks }
}

export interface RolloutCreateOptions {
  name: string
  machineTypes?: string[]
  departments?: string[]
  sites?: string[]
  deviceModels?: string[]
  firmware?: string[]
  appVersions?: string[]
  groups: string
  success: string
  error: string
  minSample: string
  window?: boolean
  immediate?: boolean
  timeout: string
  continuous?: boolean
  preview?: boolean
  json?: boolean
  quiet?: boolean
}

/** The options of creating a rollout (`rollouts create`, `services rollout`): filter, groups, thresholds, install mode. */
export function withRolloutOptions(command: Command): Command {
  return command
    .requiredOption('--name <name>', 'a name people will recognise')
    .option('--machine-types <types>', 'only these machine types (comma separated)', list)
    .option('--departments <ids>', 'only kiosks of these departments', list)
    .option('--sites <ids>', 'only kiosks at these sites', list)
    .option('--device-models <ids>', 'only kiosks with these device models (registry ids)', list)
    .option('--firmware <versions>', 'only kiosks whose device runs these firmware versions', list)
    .option('--app-versions <versions>', 'only kiosks running these app versions', list)
    .option('--groups <sizes>', 'group sizes: counts and cumulative percentages', '1,25%,100%')
    .option('--success <fraction>', 'share of a group that must succeed before the next starts', '0.9')
    .option('--error <fraction>', 'share of failures (of finished kiosks) that halts the rollout', '0.2')
    .option('--min-sample <n>', 'finished kiosks needed before the error threshold applies', '3')
    .option('--window', 'download at once, install inside each site’s maintenance window (default)')
    .option('--immediate', 'install as soon as the kiosk is idle')
    .option('--timeout <duration>', 'per-kiosk limit for each active stretch (stuck = failed)', '1h')
    .option('--continuous', 'kiosks that match later join the last started group')
    .option('--preview', 'only show how many kiosks would be selected and the group sizes')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'print only the rollout id, for scripts: RO=$(fleetctl rollouts create … -q)')
}

/** Creates (or with --preview only previews) a rollout of `artifactId`. */
export async function createRollout(io: Io, artifactId: string, o: RolloutCreateOptions): Promise<void> {
  if (o.window && o.immediate) throw new FleetctlError('choose one of --window and --immediate', EXIT.usage)
  const body = {
    name: o.name,
    artifactId,
    filter: {
      machineTypes: o.machineTypes ?? [],
      departments: o.departments ?? [],
      sites: o.sites ?? [],
      deviceModels: o.deviceModels ?? [],
      firmware: o.firmware ?? [],
      appVersions: o.appVersions ?? [],
    },
    groups: parseGroups(o.groups),
    successThreshold: parseFraction(o.success, '--success'),
    errorThreshold: parseFraction(o.error, '--error'),
    errorMinSample: parsePositiveInt(o.minSample, '--min-sample'),
    installMode: o.immediate ? 'immediate' : 'window',
    kioskTimeoutMs: parseDuration(o.timeout, '--timeout'),
    continuous: Boolean(o.continuous),
  }
  const client = loggedInClient(io)
  if (o.preview) {
    const preview = await client.post<Preview>('/api/rollouts/preview', body)
    if (o.json) printJson(io, preview)
    else describePreview(io, preview)
    return
  }
  const rollout = await client.post<Rollout>('/api/rollouts', body)
  if (o.json) return printJson(io, rollout)
  if (o.quiet) return io.out(rollout.id)
  const selected = rollout.groupCounts?.reduce((n, g) => n + g.size, 0)
  io.out(
    `${rollout.id} created (${rollout.status})${selected === undefined ? '' : `: ${selected} kiosk(s) in ${rollout.groups.length} group(s)`}`,
  )
  for (const [reason, n] of Object.entries(rollout.excluded ?? {})) if (n > 0) io.out(`  excluded ${reason}: ${n}`)
  if (rollout.status === 'awaitingApproval') {
    io.out(`next: another admin or department user runs: fleetctl rollouts approve ${rollout.id}`)
  }
}

export function registerRollouts(program: Command, io: Io): void {
  const rollouts = program
    .command('rollouts')
    .description('staged rollouts of an artifact to kiosks, group by group, with thresholds')

  withRolloutOptions(
    rollouts
      .command('create')
      .description('create a rollout (it waits for approval by someone else, then `start`)')
      .requiredOption('--artifact <id>', 'the artifact to roll out'),
  ).action((o: RolloutCreateOptions & { artifact: string }) => createRollout(io, o.artifact, o))

  rollouts
    .command('list')
    .description('rollouts you may see, newest first')
    .option('--status <status>', 'only this status')
    .option('--json', 'machine-readable output')
    .action(async (o: { status?: string; json?: boolean }) => {
      const answer = await loggedInClient(io).get<{ rollouts: Rollout[] } | Rollout[]>(
        `/api/rollouts${o.status ? `?status=${encodeURIComponent(o.status)}` : ''}`,
      )
      const all = (Array.isArray(answer) ? answer : answer.rollouts).filter((r) => !o.status || r.status === o.status)
      if (o.json) return printJson(io, all)
      io.out(
        table(
          ['ID', 'NAME', 'ARTIFACT', 'STATUS', 'GROUP', 'CREATED', 'BY'],
          all.map((r) => [
            r.id,
            r.name,
            r.artifactId,
            r.status,
            `${Math.min(r.currentGroup + 1, r.groups.length)}/${r.groups.length}`,
            day(r.createdAt),
            r.createdBy,
          ]),
        ),
      )
    })

  rollouts
    .command('status <id>')
    .description('per-group progress and per-kiosk state; exits 6 when the rollout halted, 7 when it was aborted')
    .option('--watch', 'refresh until the rollout completes, halts or is aborted')
    .option('--interval <duration>', 'refresh interval for --watch', '2s')
    .option('--no-kiosks', 'only the groups, not the kiosk table')
    .option('--json', 'machine-readable output (with --watch: one JSON object per change, a line each)')
    .action(async (id: string, o: { watch?: boolean; interval: string; kiosks: boolean; json?: boolean }) => {
      const client = loggedInClient(io)
      const interval = parseDuration(o.interval, '--interval')
      const terminal = io.outTerminal
      let last = ''
      let lost = false
      for (;;) {
        let rollout: Rollout
        try {
          rollout = await getRollout(client, id, o.kiosks || Boolean(o.json))
        } catch (err) {
          // Watching survives a restarting server or a flaky link; a one-off status does not.
          if (!o.watch || !(err instanceof FleetctlError) || err.exitCode !== EXIT.unreachable) throw err
          if (!lost) io.err(`fleetctl: ${err.message}; still watching`)
          lost = true
          await sleep(interval)
          continue
        }
        lost = false
        const final = FINAL_STATUSES.includes(rollout.status)
        if (o.json) {
          const text = JSON.stringify({ ...rollout, groupProgress: groupProgress(rollout) })
          if (!o.watch) printJson(io, JSON.parse(text))
          else if (text !== last) io.out(text)
          last = text
        } else {
          const text = renderStatus(rollout, { kiosks: o.kiosks })
          if (o.watch && terminal) {
            // Redraw in place: home, clear screen, then the status.
            terminal.write(
              `\x1b[H\x1b[2J${text}\n\n${final ? '' : `refreshing every ${o.interval} — Ctrl-C to stop watching`}\n`,
            )
          } else if (text !== last) {
            if (o.watch && last !== '') io.out('')
            io.out(text)
          }
          last = text
        }
        if (!o.watch || final) {
          const code = exitCodeOf(rollout)
          if (code !== EXIT.ok) throw new FleetctlError('', code)
          return
        }
        await sleep(interval)
      }
    })

  const action = (verb: 'approve' | 'start' | 'pause' | 'resume' | 'abort', description: string) =>
    rollouts
      .command(`${verb} <id>`)
      .description(description)
      .option('--reason <text>', 'why (kept in the audit log)')
      .option('--json', 'machine-readable output')
      .action(async (id: string, o: { reason?: string; json?: boolean }) => {
        const rollout = await loggedInClient(io).post<Rollout>(
          `/api/rollouts/${encodeURIComponent(id)}/${verb}`,
          o.reason ? { reason: o.reason } : {},
        )
        if (o.json) printJson(io, rollout)
        else io.out(`${id} ${rollout.status ?? verb}`)
      })
  action('approve', 'approve a rollout someone else created (admin, department)')
  action('start', 'start an approved rollout: the first group is notified')
  action('pause', 'pause: no new kiosks are notified; kiosks already installing finish')
  action('resume', 'resume a paused rollout')
  action('abort', 'abort: kiosks that have not begun installing are cancelled')
}

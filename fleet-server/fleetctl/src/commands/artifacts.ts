import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Artifact, type ArtifactKind, pushArtifact } from '../artifact-push.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { collect, list, parsePositiveInt, parseSize } from '../options.ts'
import { formatBytes } from '../progress.ts'
import { table } from '../table.ts'

const KINDS: ArtifactKind[] = ['app', 'firmware', 'config']
const day = (iso: string | null | undefined) => iso?.replace('T', ' ').slice(0, 19)
const compat = (a: Artifact) =>
  [
    a.compatibility.machineTypes?.length ? a.compatibility.machineTypes.join(',') : 'any type',
    a.compatibility.hwRevisions?.length ? `hw ${a.compatibility.hwRevisions.join(',')}` : '',
    a.compatibility.minAppVersion ? `app ≥ ${a.compatibility.minAppVersion}` : '',
  ]
    .filter(Boolean)
    .join('; ')
const target = (a: Artifact) => (a.kind === 'app' ? 'kiosk app' : `${a.vendor}/${a.deviceModel}`)

export function describeArtifact(io: Io, a: Artifact): void {
  io.out(`${a.id}  ${a.kind} ${target(a)} ${a.version}  ${a.status}${a.statusReason ? ` (${a.statusReason})` : ''}`)
  io.out('')
  io.out(
    table(
      ['FIELD', 'VALUE'],
      [
        ['target path', a.targetPath],
        ['size', a.length === null ? null : `${formatBytes(a.length)} (${a.length} bytes)`],
        ['sha256', a.sha256],
        ['compatibility', compat(a)],
        ['notes', a.notes || null],
        ['uploaded by', `${a.uploadedBy} at ${day(a.createdAt)}`],
        ['ready at', day(a.readyAt)],
      ],
    ),
  )
  io.out('')
  const approvals = a.approvals ?? []
  io.out(
    approvals.length === 0
      ? 'approvals: none yet — no department’s kiosks can be targeted'
      : table(
          ['APPROVED FOR', 'BY', 'AT'],
          approvals.map((p) => [p.department, p.approvedBy, day(p.approvedAt)]),
        ),
  )
}

export function registerArtifacts(program: Command, io: Io): void {
  const artifacts = program
    .command('artifacts')
    .description('update artifacts: kiosk app releases, device firmware and device configuration')

  artifacts
    .command('push <file>')
    .description(
      'upload an artifact (resumable: re-run the same command after a cut or Ctrl-C); vendor artifacts are signed locally with --key',
    )
    .requiredOption('--kind <kind>', 'app | firmware | config')
    .requiredOption('--version <version>', 'version of this release, e.g. 2.1.0')
    .option('--vendor <id>', 'device vendor (firmware, config)')
    .option('--model <id>', 'device model: the registry definition id (firmware, config)')
    .option('--machine-types <types>', 'compatible machine types, comma separated; default any', list)
    .option('--hw-revisions <revs>', 'compatible hardware revisions, comma separated; default any', list)
    .option('--min-app-version <version>', 'lowest kiosk app version this needs')
    .option('--key <file>', "the vendor's TUF key pair file (repeat for a threshold of keys)", collect)
    .option('--notes <text>', 'release notes')
    .option('--chunk-size <size>', 'upload chunk size, e.g. 256k or 1M', '1M')
    .option('--retries <n>', 'retries per chunk after a broken connection', '5')
    .option('--json', 'machine-readable output (no progress bar)')
    .option(
      '-q, --quiet',
      'print only the artifact id (no progress bar), for scripts: ART=$(fleetctl artifacts push … -q)',
    )
    .action(
      async (
        file: string,
        o: {
          kind: string
          version: string
          vendor?: string
          model?: string
          machineTypes?: string[]
          hwRevisions?: string[]
          minAppVersion?: string
          key?: string[]
          notes?: string
          chunkSize: string
          retries: string
          json?: boolean
          quiet?: boolean
        },
      ) => {
        if (!KINDS.includes(o.kind as ArtifactKind)) {
          throw new FleetctlError(`--kind must be one of ${KINDS.join(', ')}`, EXIT.usage)
        }
        const artifact = await pushArtifact(loggedInClient(io), io, {
          file,
          kind: o.kind as ArtifactKind,
          version: o.version,
          vendor: o.vendor,
          model: o.model,
          machineTypes: o.machineTypes ?? [],
          hwRevisions: o.hwRevisions ?? [],
          minAppVersion: o.minAppVersion,
          notes: o.notes,
          keyFiles: o.key ?? [],
          chunkSize: parseSize(o.chunkSize, '--chunk-size'),
          retries: o.retries === '0' ? 0 : parsePositiveInt(o.retries, '--retries'),
          json: Boolean(o.json || o.quiet),
        })
        if (o.json) return printJson(io, artifact)
        if (o.quiet) return io.out(artifact.id)
        io.out(`${artifact.id} ${artifact.status}: ${artifact.targetPath} (${formatBytes(artifact.length ?? 0)})`)
        if (artifact.status === 'ready') {
          io.out(`next: a department approves it — fleetctl artifacts approve ${artifact.id} --department D`)
        }
      },
    )

  artifacts
    .command('list')
    .description('artifacts you may see, newest first')
    .option('--kind <kind>', 'app | firmware | config')
    .option('--status <status>', 'uploading | signing | ready | rejected | revoked')
    .option('--vendor <id>', 'only this vendor')
    .option('--json', 'machine-readable output')
    .action(async (o: { kind?: string; status?: string; vendor?: string; json?: boolean }) => {
      const query = new URLSearchParams()
      if (o.kind) query.set('kind', o.kind)
      if (o.status) query.set('status', o.status)
      if (o.vendor) query.set('vendor', o.vendor)
      const answer = await loggedInClient(io).get<{ artifacts: Artifact[] } | Artifact[]>(
        `/api/artifacts${query.size ? `?${query}` : ''}`,
      )
      // Filter here too, so the flags work whatever the server filters on.
      const all = (Array.isArray(answer) ? answer : answer.artifacts).filter(
        (a) =>
          (!o.kind || a.kind === o.kind) &&
          (!o.status || a.status === o.status) &&
          (!o.vendor || a.vendor === o.vendor),
      )
      if (o.json) return printJson(io, all)
      io.out(
        table(
          ['ID', 'KIND', 'TARGET', 'VERSION', 'STATUS', 'SIZE', 'APPROVED FOR', 'UPLOADED'],
          all.map((a) => [
            a.id,
            a.kind,
            target(a),
            a.version,
            a.status,
            a.length === null ? null : formatBytes(a.length),
            (a.approvals ?? []).map((p) => p.department).join(',') || '',
            `${day(a.createdAt)} ${a.uploadedBy}`,
          ]),
        ),
      )
    })

  artifacts
    .command('show <id>')
    .description('one artifact: hash, compatibility, status and approvals')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => {
      const a = await loggedInClient(io).get<Artifact>(`/api/artifacts/${encodeURIComponent(id)}`)
      if (o.json) printJson(io, a)
      else describeArtifact(io, a)
    })

  artifacts
    .command('approve <id>')
    .description("approve an artifact for a department's kiosks (department users: their own departments)")
    .requiredOption('--department <id...>', 'department(s) to approve for')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { department: string[]; json?: boolean }) => {
      const client = loggedInClient(io)
      let answer: unknown
      for (const department of o.department.flatMap((d) => list(d))) {
        answer = await client.post(`/api/artifacts/${encodeURIComponent(id)}/approvals`, { department })
        if (!o.json) io.out(`${id} approved for ${department}`)
      }
      if (o.json) printJson(io, answer)
    })

  artifacts
    .command('unapprove <id>')
    .description("withdraw a department's approval")
    .requiredOption('--department <id>', 'department')
    .action(async (id: string, o: { department: string }) => {
      await loggedInClient(io).delete(
        `/api/artifacts/${encodeURIComponent(id)}/approvals/${encodeURIComponent(o.department)}`,
      )
      io.out(`${id} no longer approved for ${o.department}`)
    })

  artifacts
    .command('revoke <id>')
    .description('revoke an artifact: no new rollout may use it (admin)')
    .option('--reason <text>', 'why (kept with the artifact and in the audit log)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { reason?: string; json?: boolean }) => {
      const a = await loggedInClient(io).post<Artifact>(
        `/api/artifacts/${encodeURIComponent(id)}/revoke`,
        o.reason ? { reason: o.reason } : {},
      )
      if (o.json) printJson(io, a)
      else io.out(`${id} ${a.status}${a.statusReason ? ` (${a.statusReason})` : ''}`)
    })
}

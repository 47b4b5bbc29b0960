import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import {
  bundleCatalogue,
  type CatalogueFile,
  formatCatalogueErrors,
  readCatalogueBundle,
  validateCatalogue,
} from '@kiosk-fleet/protocol'
import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Artifact, pushArtifact } from '../artifact-push.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { collect, list, parsePositiveInt, parseSize } from '../options.ts'
import { formatBytes } from '../progress.ts'
import { table } from '../table.ts'
import { createRollout, type RolloutCreateOptions, withRolloutOptions } from './rollouts.ts'

/** Every `.json` file under a catalogue folder, paths relative to it (`tax/services/x.json`). */
export function catalogueFiles(dir: string): CatalogueFile[] {
  const root = resolve(dir)
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new FleetctlError(`${dir} is not a folder`, EXIT.usage)
  }
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
  return walk(root).map((p) => ({ path: relative(root, p).split(sep).join('/'), content: readFileSync(p) }))
}

/**
 * `fleetctl services`: a department's service catalogue. `validate` checks a catalogue folder the
 * way an upload and a kiosk check it (docs/service-definition.md) and lists every error at once.
 */
export function registerServices(program: Command, io: Io): void {
  const services = program.command('services').description('citizen service catalogues (definitions and templates)')

  services
    .command('validate <dir>')
    .description(
      'validate a catalogue folder (<department>/department.json, services/, templates/); every error listed',
    )
    .option('--json', 'machine-readable output')
    .action((dir: string, o: { json?: boolean }) => {
      const result = validateCatalogue(catalogueFiles(dir))
      if (!result.ok) {
        if (o.json) printJson(io, { ok: false, errors: result.errors })
        else io.err(formatCatalogueErrors(result.errors))
        throw new FleetctlError(`${result.errors.length} error(s) in ${dir}`, EXIT.failed)
      }
      const c = result.catalogue
      if (o.json) {
        return printJson(io, {
          ok: true,
          digest: c.digest,
          departments: c.departments.map((d) => d.id),
          services: c.services.map((s) => s.id),
          templates: c.templates.map((t) => t.id),
        })
      }
      io.out(
        table(
          ['DEPARTMENT', 'NAME', 'SERVICES', 'TEMPLATES'],
          c.departments.map((d) => [
            d.id,
            d.name.zh,
            c.services.filter((s) => s.department === d.id).length,
            c.templates.filter((t) => t.department === d.id).length,
          ]),
        ),
      )
      io.out(`ok: ${c.services.length} services, ${c.templates.length} templates, digest ${c.digest.slice(0, 12)}`)
    })

  services
    .command('bundle <dir>')
    .description("one department's catalogue as one file to sign and roll out (docs/service-definition.md)")
    .requiredOption('--department <id>', 'the department whose folder <dir>/<id> is bundled')
    .requiredOption('--version <version>', "the bundle's version, e.g. 2026.12.1")
    .requiredOption('--out <file>', 'where to write the bundle')
    .action((dir: string, o: { department: string; version: string; out: string }) => {
      const files = catalogueFiles(dir)
      if (!files.some((f) => f.path.startsWith(`${o.department}/`))) {
        throw new FleetctlError(`${dir} has no folder ${o.department}/`, EXIT.usage)
      }
      const bytes = bundleCatalogue(o.department, o.version, files)
      const read = readCatalogueBundle(bytes, { department: o.department, version: o.version })
      if (!read.ok) {
        io.err(formatCatalogueErrors(read.errors))
        throw new FleetctlError(`${read.errors.length} error(s) in ${o.department}; no bundle written`, EXIT.failed)
      }
      writeFileSync(o.out, bytes)
      io.out(
        `${o.out}: ${o.department} ${o.version}, ${read.catalogue.services.length} services, ${read.catalogue.templates.length} templates, ${bytes.length} bytes`,
      )
    })

  services
    .command('push <bundle>')
    .description(
      "upload a department's bundle (from `services bundle`), checked first, and sign it with the department's keys",
    )
    .requiredOption('--key <file>', "the department's TUF key pair file (repeat for a threshold of keys)", collect)
    .option('--machine-types <types>', 'only kiosks of these machine types may load it; default any', list)
    .option('--min-app-version <version>', 'lowest kiosk app version that runs it')
    .option('--notes <text>', 'what changed, for the approvers')
    .option('--chunk-size <size>', 'upload chunk size, e.g. 256k or 1M', '1M')
    .option('--retries <n>', 'retries per chunk after a broken connection', '5')
    .option('--json', 'machine-readable output (no progress bar)')
    .action(
      async (
        file: string,
        o: {
          key: string[]
          machineTypes?: string[]
          minAppVersion?: string
          notes?: string
          chunkSize: string
          retries: string
          json?: boolean
        },
      ) => {
        let bytes: Buffer
        try {
          bytes = readFileSync(file)
        } catch (err) {
          throw new FleetctlError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage)
        }
        // The fleet checks again at upload; a bundle with errors is not sent at all.
        const read = readCatalogueBundle(bytes)
        if (!read.ok) {
          if (o.json) printJson(io, { ok: false, errors: read.errors })
          else io.err(formatCatalogueErrors(read.errors))
          throw new FleetctlError(`${read.errors.length} error(s) in ${file}; nothing uploaded`, EXIT.failed)
        }
        const artifact = await pushArtifact(loggedInClient(io), io, {
          file,
          kind: 'catalogue',
          version: read.bundle.version,
          department: read.bundle.department,
          machineTypes: o.machineTypes ?? [],
          hwRevisions: [],
          minAppVersion: o.minAppVersion,
          notes: o.notes,
          keyFiles: o.key,
          chunkSize: parseSize(o.chunkSize, '--chunk-size'),
          retries: o.retries === '0' ? 0 : parsePositiveInt(o.retries, '--retries'),
          json: Boolean(o.json),
        })
        if (o.json) return printJson(io, artifact)
        io.out(`${artifact.id} ${artifact.status}: ${artifact.targetPath} (${formatBytes(artifact.length ?? 0)})`)
        if (artifact.status === 'ready') {
          io.out(`next: the kiosks' departments approve it — fleetctl artifacts approve ${artifact.id} --department D`)
          io.out(`then: fleetctl services rollout ${artifact.id} --name "…"`)
        }
      },
    )

  withRolloutOptions(
    services
      .command('rollout <artifact-id>')
      .description('roll a pushed catalogue bundle out to kiosks, group by group (as `rollouts create`)'),
  ).action((artifactId: string, o: RolloutCreateOptions) => createRollout(io, artifactId, o))

  withRolloutOptions(
    services
      .command('rollback <artifact-id>')
      .description(
        "go back to a department's previous bundle (admin): revoke <artifact-id>, its newest, then roll the previous one out (approved and started as any rollout)",
      )
      .requiredOption('--reason <text>', 'why (kept with the revoked bundle and in the audit log)'),
  ).action((artifactId: string, o: RolloutCreateOptions & { reason: string }) => rollBack(io, artifactId, o))
}

/**
 * `services rollback`: the fleet takes a department's newest `ready` bundle as its catalogue (and
 * refuses to roll out an older one), so going back is revoking the newest, which makes the previous
 * one the newest again, then rolling that one out. Run again after a failure, it resumes: a bundle
 * already revoked is not revoked twice. `--preview` says what it would do and changes nothing.
 */
async function rollBack(io: Io, artifactId: string, o: RolloutCreateOptions & { reason: string }): Promise<void> {
  const client = loggedInClient(io)
  const bad = await client.get<Artifact>(`/api/artifacts/${encodeURIComponent(artifactId)}`)
  if (bad.kind !== 'catalogue' || !bad.department) {
    throw new FleetctlError(`${artifactId} is a ${bad.kind} artifact, not a catalogue bundle`, EXIT.usage)
  }
  if (bad.status !== 'ready' && bad.status !== 'revoked') {
    throw new FleetctlError(
      `${artifactId} is ${bad.status}: it was never published, there is nothing to go back from`,
      EXIT.failed,
    )
  }
  const { artifacts } = await client.get<{ artifacts: Artifact[] }>(
    '/api/artifacts?kind=catalogue&status=ready&limit=1000',
  )
  const published = artifacts.filter((a) => a.department === bad.department && a.status === 'ready').sort(newestFirst)
  const newest = published[0]
  if (bad.status === 'ready' && newest?.id !== bad.id) {
    throw new FleetctlError(
      `${bad.department} ${bad.version} is not the department's newest published bundle (${newest?.version} is, ${newest?.id}): roll back from that one`,
      EXIT.failed,
    )
  }
  const previous = published.find((a) => a.id !== bad.id)
  if (previous === undefined) {
    throw new FleetctlError(
      `${bad.department} has no earlier published bundle to go back to: the department publishes the catalogue it wants (fleetctl services push)`,
      EXIT.failed,
    )
  }
  const say = (text: string) => (o.json || o.quiet ? io.err(text) : io.out(text))
  if (o.preview) {
    say(`would revoke ${bad.id} (${bad.department} ${bad.version}) and roll out ${previous.id} (${previous.version})`)
    return
  }
  if (bad.status === 'ready') {
    await client.post<Artifact>(`/api/artifacts/${encodeURIComponent(bad.id)}/revoke`, {
      reason: `rolled back to ${previous.version}: ${o.reason}`,
    })
    say(`revoked ${bad.id} (${bad.department} ${bad.version})`)
  }
  say(`rolling back to ${previous.id} (${bad.department} ${previous.version})`)
  await createRollout(io, previous.id, o)
}

/** The fleet's order of a department's published bundles (NEWEST_CATALOGUE_BUNDLE_FIRST): last signed first. */
function newestFirst(a: Artifact, b: Artifact): number {
  return (
    (b.readyAt ?? '').localeCompare(a.readyAt ?? '') ||
    b.createdAt.localeCompare(a.createdAt) ||
    b.id.localeCompare(a.id)
  )
}

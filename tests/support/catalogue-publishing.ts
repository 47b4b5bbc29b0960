/**
 * A department publishing its catalogue bundles through a real fleet, as docs/updates.md "Service
 * catalogues" tells it to: its key made on its own machine and registered by IT with the real
 * fleetctl bin, bundles built from folders and pushed (checked, uploaded, signed locally) with
 * `fleetctl services push`, approved for the kiosks' department and rolled out through the API.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FleetServer } from '@fleet/server'
import { DEFAULT_CATALOGUE_DIR, readCatalogueFiles } from '@kiosk/agent'
import { type CatalogueBundle, overlayCatalogue, readCatalogueBundle } from '@kiosk-fleet/protocol'
import { type FleetctlRun, runFleetctl } from './fleetctl-bin.ts'
import { startStack, type TestStack } from './stack.ts'
import { testUser } from './update-keys.ts'
import { waitFor } from './wait-for.ts'

export interface PublishedArtifact {
  id: string
  status: string
  statusReason: string | null
  version: string
  targetPath: string
}

export interface RolloutKiosk {
  kioskId: string
  group: number
  state: string
  errorCode: string | null
  notifiedAt: string | null
  finishedAt: string | null
}

/**
 * A rollout's `successThreshold` and `errorThreshold` (default 1 and 0.5), `errorMinSample` (default
 * 1: the first kiosk that fails can halt it), and its groups (default one group of every kiosk).
 */
export interface Thresholds {
  success?: number
  error?: number
  minSample?: number
  groups?: ({ count: number } | { percent: number })[]
}

export interface FinishedRollout {
  id: string
  status: string
  kiosks: RolloutKiosk[]
}

/**
 * A copy of the demo catalogue's folder of `department` in `dir` with `files` (paths under the
 * department's folder, e.g. `services/x.json`) written over it; returns the folder's parent, which
 * `fleetctl services bundle` takes.
 */
export function departmentFolder(dir: string, department: string, files: Record<string, unknown>): string {
  cpSync(join(DEFAULT_CATALOGUE_DIR, department), join(dir, department), { recursive: true })
  for (const [path, json] of Object.entries(files)) {
    mkdirSync(join(dir, department, path, '..'), { recursive: true })
    writeFileSync(join(dir, department, path), `${JSON.stringify(json, null, 2)}\n`)
  }
  return dir
}

/**
 * A department's new matter that shows records on screen after an ID card: the least a definition
 * needs (docs/service-definition.md), for tests that publish one.
 */
export function screenMatter(id: string, department: string, name: string): Record<string, unknown> {
  return {
    id,
    version: 1,
    department,
    name: { zh: name, en: id },
    guidance: { zh: `${name}。`, en: id },
    category: 'records',
    keywords: [name.slice(0, 2)],
    identity: 'idCard',
    gateway: { query: { operation: id } },
    view: {
      kind: 'records',
      title: { zh: name, en: id },
      empty: { zh: '没有记录。', en: 'None.' },
      record: { title: { zh: '{{record.name}}', en: '{{record.name}}' }, lines: [] },
    },
    output: { kind: 'screen' },
    peripherals: [['idCardReader']],
  }
}

/** The digest a kiosk whose image has `imageDir` computes with `bundles` laid over it. */
export function overlaidDigest(imageDir: string, bundles: Uint8Array[]): string {
  const read = bundles.map((bytes) => {
    const r = readCatalogueBundle(bytes)
    if (!r.ok) throw new Error(`bad bundle: ${JSON.stringify(r.errors)}`)
    return r.bundle
  })
  const result = overlayCatalogue(readCatalogueFiles(imageDir), read as CatalogueBundle[])
  if (!result.ok) throw new Error(`the overlay does not validate: ${JSON.stringify(result.errors)}`)
  return result.catalogue.digest
}

/**
 * One department of a fleet: its publisher (a department user), the IT admin who registers its key
 * and creates rollouts, and its key pair file in `work`.
 */
export class CatalogueDepartment {
  readonly keyFile: string
  #publisher: { authorization: string } | undefined
  #itAdmin: { authorization: string } | undefined

  constructor(
    readonly stack: TestStack,
    readonly department: string,
    readonly work: string,
  ) {
    this.keyFile = join(work, `${department}-key.json`)
  }

  get fleet(): FleetServer {
    return this.stack.fleet()
  }

  /** The environment of a fleetctl run as `auth`, with its own config dir (its upload state). */
  env(auth: { authorization: string }, name: string): Record<string, string> {
    return {
      FLEETCTL_SERVER: this.fleet.httpUrl,
      FLEETCTL_TOKEN: auth.authorization.replace(/^Bearer /, ''),
      FLEETCTL_CONFIG: join(this.work, `${this.department}-${name}`, 'config.json'),
    }
  }

  get itAdmin(): { authorization: string } {
    if (this.#itAdmin === undefined) throw new Error('register() first')
    return this.#itAdmin
  }

  /** The department's key made on its machine, registered by IT as its delegated role. */
  async register(name: string): Promise<void> {
    this.#publisher = await testUser(this.fleet, `${this.department}-publisher`, 'department', {
      departments: [this.department],
    })
    this.#itAdmin = await testUser(this.fleet, `${this.department}-it`, 'admin')
    const generated = await runFleetctl(['keys', 'generate', '--out', this.keyFile])
    if (generated.code !== 0) throw new Error(`keys generate: ${generated.stderr}`)
    const publicKey = join(this.work, `${this.department}-public.json`)
    writeFileSync(publicKey, generated.stdout)
    const added = await this.fleetctl(
      ['departments', 'add', this.department, '--name', name, '--key', publicKey],
      'admin',
    )
    if (added.code !== 0) throw new Error(`departments add: ${added.stderr}`)
  }

  /** Runs the real fleetctl bin as the department's publisher or as IT. */
  fleetctl(args: string[], as: 'publisher' | 'admin'): Promise<FleetctlRun> {
    const auth = as === 'publisher' ? this.#publisher : this.#itAdmin
    if (auth === undefined) throw new Error('register() first')
    return runFleetctl(args, this.env(auth, as))
  }

  /**
   * `fleetctl services bundle` of the department's folder under `catalogueDir`, then `services push`
   * signed with its key: the artifact as it ends (`ready`, or `rejected` with its reasons), and the
   * bundle's bytes.
   */
  async publish(
    catalogueDir: string,
    version: string,
  ): Promise<{ artifact: PublishedArtifact; bytes: Uint8Array; push: FleetctlRun }> {
    const file = join(this.work, `${this.department}-${version}.json`)
    const bundled = await runFleetctl([
      'services',
      'bundle',
      catalogueDir,
      '--department',
      this.department,
      '--version',
      version,
      '--out',
      file,
    ])
    if (bundled.code !== 0) throw new Error(`services bundle: ${bundled.stderr}`)
    const bytes = new Uint8Array(readFileSync(file))
    const push = await this.fleetctl(['services', 'push', file, '--key', this.keyFile, '--json'], 'publisher')
    const artifact = push.code === 0 ? (JSON.parse(push.stdout) as PublishedArtifact) : await this.#pushed(version)
    return { artifact, bytes, push }
  }

  async #pushed(version: string): Promise<PublishedArtifact> {
    const { artifacts } = await this.stack.api<{ artifacts: (PublishedArtifact & { department: string })[] }>(
      '/api/artifacts?kind=catalogue',
    )
    const found = artifacts.find((a) => a.department === this.department && a.version === version)
    if (found === undefined) throw new Error(`no artifact ${this.department} ${version}`)
    return found
  }

  /** The kiosks' department approves the artifact for its machines (once per artifact). */
  async approveFor(artifactId: string, kioskDepartment: string): Promise<void> {
    const answer = await fetch(`${this.fleet.httpUrl}/api/artifacts/${artifactId}/approvals`, {
      method: 'POST',
      headers: { ...this.itAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ department: kioskDepartment }),
    })
    if (answer.status !== 200) throw new Error(`approve: ${answer.status} ${await answer.text()}`)
  }

  /**
   * A rollout of `artifactId` to every kiosk (in one group unless `thresholds.groups`), installed at once, created by IT,
   * approved by another admin and started; resolves once it completed, halted or was aborted.
   */
  async rollOut(artifactId: string, name: string, thresholds: Thresholds = {}): Promise<FinishedRollout> {
    const created = await this.createRollout(artifactId, name, thresholds)
    if (created.status !== 201 || created.body.id === undefined) {
      throw new Error(`rollout create: ${created.status} ${JSON.stringify(created.body)}`)
    }
    return this.approveAndFinish(created.body.id)
  }

  /** IT creates a rollout of `artifactId` to every kiosk (one group by default), installed at once: the answer as it is. */
  async createRollout(
    artifactId: string,
    name: string,
    thresholds: Thresholds = {},
  ): Promise<{ status: number; body: { id?: string; code?: string; message?: string } }> {
    const created = await fetch(`${this.fleet.httpUrl}/api/rollouts`, {
      method: 'POST',
      headers: { ...this.itAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        artifactId,
        groups: thresholds.groups ?? [{ percent: 100 }],
        successThreshold: thresholds.success ?? 1,
        errorThreshold: thresholds.error ?? 0.5,
        errorMinSample: thresholds.minSample ?? 1,
        installMode: 'immediate',
        kioskTimeoutMs: 60_000,
      }),
    })
    return { status: created.status, body: (await created.json()) as { id?: string; code?: string; message?: string } }
  }

  /** Approves (as the bootstrap admin, not the creator) and starts rollout `id`, then waits for its end. */
  async approveAndFinish(id: string): Promise<FinishedRollout> {
    for (const step of ['approve', 'start']) {
      const answer = await this.stack.api<{ code?: string }>(`/api/rollouts/${id}/${step}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      if (answer.code !== undefined) throw new Error(`rollout ${step}: ${JSON.stringify(answer)}`)
    }
    const status = await waitFor(
      `rollout ${id} finished`,
      async () => {
        const r = await this.stack.api<{ status: string }>(`/api/rollouts/${id}`)
        return ['completed', 'halted', 'aborted'].includes(r.status) ? r.status : undefined
      },
      60_000,
    )
    const { kiosks } = await this.stack.api<{ kiosks: RolloutKiosk[] }>(`/api/rollouts/${id}/kiosks?limit=100`)
    return { id, status, kiosks }
  }
}

/**
 * The fleet of a catalogue test: embedded broker, PGlite, the TUF repository under `work` with the
 * test keys, rollouts ticking every 200 ms; `services` is the fleet's services setting, if any.
 */
export function startCatalogueStack(
  work: string,
  keys: { rootFile: string; onlineKeysFile: string },
  services?: Record<string, unknown>,
): Promise<TestStack> {
  return startStack(
    { broker: 'embedded-aedes', db: 'pglite' },
    {
      updates: { dir: join(work, 'repository'), rootFile: keys.rootFile, onlineKeysFile: keys.onlineKeysFile },
      rollouts: { tickMs: 200 },
      ...(services === undefined ? {} : { services }),
    },
  )
}

/**
 * A department registered under `name` that published one screen matter `matterId` ("matterName")
 * as version 2026.12.1, signed and ready, approved for the public-security kiosks.
 */
export async function departmentWithMatter(
  stack: TestStack,
  work: string,
  department: string,
  name: string,
  matter: { id: string; name: string },
): Promise<{ department: CatalogueDepartment; bundle: { artifact: PublishedArtifact; bytes: Uint8Array } }> {
  const d = new CatalogueDepartment(stack, department, work)
  await d.register(name)
  const bundle = await d.publish(
    departmentFolder(join(work, department), department, {
      [`services/${matter.id}.json`]: screenMatter(matter.id, department, matter.name),
    }),
    '2026.12.1',
  )
  if (bundle.artifact.status !== 'ready') throw new Error(`${department} bundle: ${JSON.stringify(bundle.artifact)}`)
  await d.approveFor(bundle.artifact.id, 'public-security')
  return { department: d, bundle }
}

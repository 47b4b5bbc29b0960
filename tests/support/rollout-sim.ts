// Test and benchmark support: the rollout engine on a real
// embedded broker, ingest and PGlite, and simulated kiosks that answer `update` and report their
// deployments over MQTT the way the kiosk's update agent does.
import {
  type BirthPayload,
  createCodecs,
  type DeploymentStatusPayload,
  sampleBirth,
  topics,
  type UpdateParams,
} from '@kiosk-fleet/protocol'
import Fastify, { type FastifyInstance } from 'fastify'
import mqtt, { type MqttClient } from 'mqtt'
import pino, { type Logger } from 'pino'
import { AuditLog } from '../../fleet-server/server/src/audit/audit-log.ts'
import { IdentityRepo } from '../../fleet-server/server/src/auth/identity-repo.ts'
import type { Role } from '../../fleet-server/server/src/auth/roles.ts'
import { createBrokerAuthenticator } from '../../fleet-server/server/src/broker/broker-authenticator.ts'
import { type EmbeddedBroker, startEmbeddedBroker } from '../../fleet-server/server/src/broker/embedded-broker.ts'
import { KioskCredentials } from '../../fleet-server/server/src/broker/kiosk-credentials.ts'
import { CommandSender } from '../../fleet-server/server/src/commands/command-sender.ts'
import type { Database } from '../../fleet-server/server/src/db/database.ts'
import { migrate } from '../../fleet-server/server/src/db/migrate.ts'
import { openPgliteDatabase } from '../../fleet-server/server/src/db/pglite-database.ts'
import { fleetErrorHandler } from '../../fleet-server/server/src/error-handler.ts'
import { connectFleetMqtt } from '../../fleet-server/server/src/ingest/fleet-mqtt.ts'
import { emptyBatch } from '../../fleet-server/server/src/ingest/ingest-batch.ts'
import { IngestStore } from '../../fleet-server/server/src/ingest/ingest-store.ts'
import { Ingestor } from '../../fleet-server/server/src/ingest/ingestor.ts'
import { createRolloutService, type RolloutModule } from '../../fleet-server/server/src/rollouts/index.ts'
import type { RolloutInput } from '../../fleet-server/server/src/rollouts/rollout-service.ts'
import type { DeviceModelLookup } from '../../fleet-server/server/src/rollouts/selection.ts'

const FLEET_MQTT = { username: 'fleet-rollout-sim', password: 'fleet-rollout-sim-password' }

export interface SimUser {
  id: string
  role: Role
  departments?: string[]
  sites?: string[]
  vendors?: string[]
}

export const SIM_USERS: SimUser[] = [
  { id: 'ada', role: 'admin' },
  { id: 'ben', role: 'admin' },
  { id: 'dora', role: 'department', departments: ['public-security'] },
  { id: 'dan', role: 'department', departments: ['public-security'] },
  { id: 'tim', role: 'department', departments: ['tax'] },
  { id: 'sam', role: 'site', sites: ['hx-tc01'] },
  { id: 'aud', role: 'auditor' },
]

export interface RolloutStackOptions {
  /** Broker credentials and ACLs on (default); off lets one client play thousands of kiosks (benchmarks). */
  secured?: boolean
  deviceModels: DeviceModelLookup
  tickMs?: number
  notifyTimeoutMs?: number
  notifyConcurrency?: number
  now?: () => number
  logger?: Logger
  onChanged?: (rolloutId: string) => void
}

export interface RolloutStack {
  db: Database
  mqttUrl: string
  rollouts: RolloutModule
  audit: AuditLog
  app: FastifyInstance
  ingestor: Ingestor
  /** Calls the HTTP API as one of `SIM_USERS` (by id). */
  api<T = Record<string, unknown>>(
    user: string,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>
  /** MQTT credentials for a simulated kiosk (stored when the broker is secured). */
  kioskCredentials(kioskId: string): Promise<{ username: string; password: string } | undefined>
  /** Writes what ingest holds and waits until the engine applied it. */
  settle(): Promise<void>
  stop(): Promise<void>
}

/** Starts broker, ingest, command sender, the rollout module and an HTTP app with its routes (no listen). */
export async function startRolloutStack(options: RolloutStackOptions): Promise<RolloutStack> {
  const logger = options.logger ?? pino({ level: 'silent' })
  const codecs = createCodecs()
  const db = await openPgliteDatabase(undefined)
  await migrate(db, logger)
  const credentials = new KioskCredentials(db)
  const secured = options.secured ?? true
  const broker: EmbeddedBroker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    logger,
    ...(secured ? { auth: createBrokerAuthenticator({ credentials, fleet: FLEET_MQTT }) } : {}),
  })
  const audit = new AuditLog(db)
  let commands: CommandSender | undefined
  let rollouts: RolloutModule | undefined
  const ingestor = new Ingestor({
    store: new IngestStore(db),
    codecs,
    logger,
    maxBatch: 1000,
    maxDelayMs: 10,
    maxQueue: 50_000,
    onWritten: (result) => rollouts?.onIngested(result),
  })
  const link = await connectFleetMqtt({
    url: broker.url,
    clientId: `fleet-sim-${Math.random().toString(36).slice(2, 8)}`,
    ...(secured ? FLEET_MQTT : {}),
    keepaliveS: 30,
    ingestor,
    commands: () => commands as CommandSender,
    logger,
  })
  commands = new CommandSender({
    publish: async (topic, payload) => {
      await link.client.publishAsync(topic, payload, { qos: 1 })
    },
    codecs,
    db,
    logger,
  })
  rollouts = createRolloutService({
    db,
    commands,
    audit,
    logger,
    deviceModels: options.deviceModels,
    tickMs: options.tickMs ?? 200,
    notifyTimeoutMs: options.notifyTimeoutMs ?? 10_000,
    ...(options.notifyConcurrency === undefined ? {} : { notifyConcurrency: options.notifyConcurrency }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onChanged === undefined ? {} : { onChanged: options.onChanged }),
  })

  const identity = new IdentityRepo(db)
  const tokens = new Map<string, string>()
  // Users hash their passwords on worker threads: create them side by side.
  await Promise.all(
    SIM_USERS.map(async (user) => {
      await identity.createUser({ ...user, displayName: user.id, password: 'sim password 123' })
      tokens.set(user.id, (await identity.createApiToken(user.id, 'sim', undefined)).token)
    }),
  )
  const app = Fastify({ logger: false })
  // The app's own handler: a FleetError answers with its code and catalog status.
  app.setErrorHandler(fleetErrorHandler)
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => {
    const secret = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
    request.principal = secret === undefined ? null : ((await identity.principalFor(secret)) ?? null)
  })
  await app.register(rollouts.routes)
  await app.ready()
  rollouts.start()

  return {
    db,
    mqttUrl: broker.url,
    rollouts,
    audit,
    app,
    ingestor,
    async api<T>(user: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens.get(user) ?? 'none'}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      })
      return { status: response.statusCode, body: response.json() as T }
    },
    async kioskCredentials(kioskId) {
      if (!secured) return undefined
      const password = `sim-${kioskId}-password`
      await credentials.issue(kioskId, { password })
      return { username: kioskId, password }
    },
    async settle() {
      await ingestor.flush()
      await rollouts?.service.settled()
    },
    async stop() {
      await link.close()
      await ingestor.flush()
      await rollouts?.stop()
      commands?.cancelAll()
      await app.close()
      await broker.close()
      await db.close()
    },
  }
}

/** Inserts a ready artifact and its department approvals (artifact upload and signing are elsewhere). */
export async function seedArtifact(
  db: Database,
  a: {
    id: string
    kind: 'app' | 'firmware' | 'config'
    version: string
    vendor?: string
    deviceModel?: string
    compatibility?: { machineTypes?: string[]; hwRevisions?: string[]; minAppVersion?: string }
    approvedDepartments?: string[]
    status?: string
  },
): Promise<void> {
  const path =
    a.kind === 'app'
      ? `app/${a.version}/kiosk-app-${a.version}.tar.gz`
      : `${a.kind}/${a.vendor}/${a.deviceModel}/${a.id}-${a.version}.bin`
  await db.query(
    `INSERT INTO artifacts (id, kind, version, vendor, device_model, target_path, sha256, length, compatibility,
       status, uploaded_by, ready_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8::jsonb, $9, 'seed', now())`,
    [
      a.id,
      a.kind,
      a.version,
      a.vendor ?? null,
      a.deviceModel ?? null,
      path,
      '0'.repeat(64),
      JSON.stringify(a.compatibility ?? {}),
      a.status ?? 'ready',
    ],
  )
  for (const department of a.approvedDepartments ?? []) {
    await db.query('INSERT INTO artifact_approvals (artifact_id, department, approved_by) VALUES ($1, $2, $3)', [
      a.id,
      department,
      'seed',
    ])
  }
}

/** How a simulated kiosk handles an `update`: the reports it sends, and the version it comes back on. */
export type SimBehaviour =
  /** downloading → downloaded → installing → rebooting → success, then a birth on the new version. */
  | 'succeed'
  /** Reports success but comes back on the old version (a release that does not stick). */
  | 'succeedOld'
  | 'fail'
  | 'rollback'
  /** Accepts, then says nothing more (a kiosk that hangs). */
  | 'silent'
  /** Accepts, downloads and waits for the window (`downloaded`, outsideWindow) until told to go on. */
  | 'waitForWindow'

export interface SimKioskState {
  kioskId: string
  birth: BirthPayload
  seq: number
  behaviour: SimBehaviour
  /** Every request received, in order. */
  requests: { command: string; params: unknown }[]
  /** Deployments this kiosk has seen (answers `inProgress` to a repeat). */
  deployments: Set<string>
  /** Update params of deployments waiting for the window. */
  waiting: Map<string, UpdateParams>
}

/** A simulated kiosk that has seen no request yet. */
export function newSimKioskState(
  kioskId: string,
  birth: BirthPayload,
  behaviour: SimBehaviour = 'succeed',
  seq = 1,
): SimKioskState {
  return { kioskId, birth, seq, behaviour, requests: [], deployments: new Set(), waiting: new Map() }
}

type Publish = (topic: string, payload: string, retain?: boolean) => Promise<void>

function nextSeq(k: SimKioskState): number {
  k.seq += 1
  return k.seq
}

async function publishBirth(k: SimKioskState, publish: Publish): Promise<void> {
  k.birth = { ...k.birth, seq: nextSeq(k), ts: Date.now() }
  await publish(topics.birth(k.kioskId), JSON.stringify(k.birth))
}

/** Every peripheral online (`devices/{deviceId}`), as the agent reports after a connect or an install. */
async function publishDevices(k: SimKioskState, publish: Publish): Promise<void> {
  for (const p of k.birth.peripherals) {
    const payload = { seq: nextSeq(k), ts: Date.now(), deviceId: p.deviceId, status: { state: 'online' } }
    await publish(topics.device(k.kioskId, p.deviceId), JSON.stringify(payload))
  }
}

async function report(
  k: SimKioskState,
  publish: Publish,
  deploymentId: string,
  state: DeploymentStatusPayload['state'],
  extra: Partial<DeploymentStatusPayload> = {},
): Promise<DeploymentStatusPayload> {
  const payload: DeploymentStatusPayload = { seq: nextSeq(k), ts: Date.now(), deploymentId, state, ...extra }
  await publish(topics.deployment(k.kioskId, deploymentId), JSON.stringify(payload))
  return payload
}

/** The new version installed: the app version, or the firmware of the peripheral of that vendor/model. */
function install(k: SimKioskState, params: UpdateParams, version: string): void {
  if (params.kind === 'app') {
    k.birth = { ...k.birth, appVersion: version }
    return
  }
  if (params.kind === 'firmware' && params.device !== undefined) {
    const vendor = params.device.vendor.toLowerCase()
    k.birth = {
      ...k.birth,
      peripherals: k.birth.peripherals.map((p) =>
        (p.vendor ?? '').toLowerCase().includes(vendor) ? { ...p, firmware: version } : p,
      ),
    }
  }
}

async function finishInstall(k: SimKioskState, publish: Publish, params: UpdateParams): Promise<void> {
  const id = params.deploymentId
  await report(k, publish, id, 'installing')
  await report(k, publish, id, 'rebooting')
  if (k.behaviour === 'succeedOld') {
    await report(k, publish, id, 'success', { version: params.version })
    await publishBirth(k, publish)
    return
  }
  install(k, params, params.version)
  await publishBirth(k, publish)
  if (params.kind !== 'app') await publishDevices(k, publish)
  await report(k, publish, id, 'success', { version: params.version })
}

/** Plays a kiosk's update agent for one request; shared by per-kiosk clients and the benchmark's fleet client. */
export async function simHandleRequest(
  k: SimKioskState,
  command: string,
  text: string,
  publish: Publish,
): Promise<void> {
  const request = JSON.parse(text) as { transaction: string; params: unknown }
  k.requests.push({ command, params: request.params })
  const respond = (data: unknown) =>
    publish(
      topics.response(k.kioskId, command),
      JSON.stringify({ transaction: request.transaction, ts: Date.now(), status: 'ok', data }),
    )
  if (command === 'cancel-update') {
    const { deploymentId } = request.params as { deploymentId: string }
    const known = k.waiting.delete(deploymentId) || k.deployments.has(deploymentId)
    await respond({ deploymentId, outcome: known ? 'cancelled' : 'unknown' })
    return
  }
  if (command !== 'update') return
  const params = request.params as UpdateParams
  const id = params.deploymentId
  const repeat = k.deployments.has(id)
  k.deployments.add(id)
  await respond({ deploymentId: id, outcome: repeat ? 'inProgress' : 'accepted' })
  if (repeat) return
  switch (k.behaviour) {
    case 'silent':
      return
    case 'fail':
      await report(k, publish, id, 'downloading', { progress: 0.3 })
      await report(k, publish, id, 'failure', { errorCode: 'ERR_KIOSK_UPDATE_VERIFY_FAILED' })
      return
    case 'rollback':
      await report(k, publish, id, 'downloading', { progress: 1 })
      await report(k, publish, id, 'installing')
      await report(k, publish, id, 'rolledBack', {
        errorCode: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED',
        version: k.birth.appVersion,
      })
      return
    case 'waitForWindow':
      await report(k, publish, id, 'downloading', { progress: 0.5 })
      await report(k, publish, id, 'downloaded', { blockedBy: ['outsideWindow'] })
      k.waiting.set(id, params)
      return
    default:
      await report(k, publish, id, 'downloading', { progress: 0.5 })
      await report(k, publish, id, 'downloaded')
      await finishInstall(k, publish, params)
  }
}

/** One simulated kiosk on its own MQTT connection (credentials and ACL as a real kiosk). */
export class SimKiosk {
  readonly state: SimKioskState
  #client: MqttClient | undefined
  #session = 0
  #work: Promise<void> = Promise.resolve()

  constructor(
    readonly mqttUrl: string,
    kioskId: string,
    birth: Partial<BirthPayload>,
    behaviour: SimBehaviour = 'succeed',
    private readonly credentials?: { username: string; password: string },
  ) {
    this.state = newSimKioskState(kioskId, sampleBirth({ ...birth, kioskId }), behaviour, 0)
  }

  get kioskId(): string {
    return this.state.kioskId
  }

  readonly publish: Publish = async (topic, payload, retain = false) => {
    if (this.#client === undefined) throw new Error(`${this.kioskId} is offline`)
    await this.#client.publishAsync(topic, payload, { qos: 1, retain })
  }

  /** Connects, says it is online and sends its birth (as the agent does on every connect). */
  async connect(): Promise<void> {
    this.#session += 1
    const offline = { state: 'offline', session: this.#session, ts: Date.now(), reason: 'lastWill' }
    const client = await mqtt.connectAsync(this.mqttUrl, {
      clientId: `kiosk-${this.kioskId}`,
      clean: true,
      reconnectPeriod: 0,
      protocolVersion: 4,
      ...(this.credentials ?? {}),
      will: { topic: topics.state(this.kioskId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    })
    this.#client = client
    client.on('message', (topic, payload) => {
      const command = topic.split('/')[4] ?? ''
      this.#work = this.#work
        .then(() => simHandleRequest(this.state, command, payload.toString('utf8'), this.publish))
        .catch(() => undefined)
    })
    await client.subscribeAsync(`kiosk/v1/${this.kioskId}/req/+`, { qos: 1 })
    const online = { state: 'online', session: this.#session, ts: Date.now(), reason: 'connected' }
    await this.publish(topics.state(this.kioskId), JSON.stringify(online), true)
    await publishBirth(this.state, this.publish)
    await publishDevices(this.state, this.publish)
  }

  /** Goes offline cleanly (publishes offline, as at shutdown). */
  async disconnect(): Promise<void> {
    const client = this.#client
    if (client === undefined) return
    await this.#work
    const offline = { state: 'offline', session: this.#session, ts: Date.now(), reason: 'shutdown' }
    await this.publish(topics.state(this.kioskId), JSON.stringify(offline), true)
    this.#client = undefined
    await client.endAsync()
  }

  /** Waits until every request received so far was handled. */
  idle(): Promise<void> {
    return this.#work
  }

  /** Sends a deployment report by hand (tests of duplicates and out-of-order delivery). */
  report(deploymentId: string, state: DeploymentStatusPayload['state'], extra: Partial<DeploymentStatusPayload> = {}) {
    return report(this.state, this.publish, deploymentId, state, extra)
  }

  /** Publishes an exact payload again (a QoS 1 redelivery or an outbox resend). */
  resend(payload: DeploymentStatusPayload): Promise<void> {
    return this.publish(topics.deployment(this.kioskId, payload.deploymentId), JSON.stringify(payload))
  }

  /** The window opened: installs every deployment that was waiting for it. */
  async windowOpens(): Promise<void> {
    for (const [id, params] of this.state.waiting) {
      this.state.waiting.delete(id)
      this.state.behaviour = 'succeed'
      await finishInstall(this.state, this.publish, params)
    }
  }
}

export interface RolloutBenchResult {
  kiosks: number
  /** From `start` until every kiosk was sent its `update` (published, answer not awaited). */
  notifyMs: number
  /** From `start` until the rollout completed (every kiosk succeeded on the new version). */
  completeMs: number
  states: Record<string, number>
  status: string
}

/**
 * Runs an app rollout against `kiosks` simulated kiosks on an open embedded broker: births are
 * written straight through ingest, one MQTT client answers for every kiosk, the rollout (groups as
 * given, default 1% → 100%) is created, approved and started over HTTP, and the run ends when the
 * rollout completes. For `npm run bench:rollout`.
 */
export async function runRolloutBench(options: {
  kiosks: number
  groups?: RolloutInput['groups']
  deviceModels?: DeviceModelLookup
  notifyConcurrency?: number
  logger?: Logger
  timeoutMs?: number
}): Promise<RolloutBenchResult> {
  const stack = await startRolloutStack({
    secured: false,
    deviceModels: options.deviceModels ?? (() => undefined),
    tickMs: 100,
    notifyTimeoutMs: 120_000,
    ...(options.notifyConcurrency === undefined ? {} : { notifyConcurrency: options.notifyConcurrency }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  const fleet = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'sim-fleet', clean: true, protocolVersion: 4 })
  try {
    const kiosks = new Map<string, SimKioskState>()
    const batch = emptyBatch()
    const now = Date.now()
    for (let i = 0; i < options.kiosks; i++) {
      const kioskId = `bench-${String(i).padStart(6, '0')}`
      const birth = sampleBirth({ kioskId, seq: 1, ts: now, appVersion: '1.0.0' })
      kiosks.set(kioskId, newSimKioskState(kioskId, birth))
      batch.births.push({ kioskId, payload: birth, receivedAt: now })
      batch.states.push({ kioskId, payload: { state: 'online', session: 1, ts: now }, receivedAt: now })
    }
    await new IngestStore(stack.db).writeBatch(batch)
    let notified = 0
    let allNotified: () => void = () => undefined
    const notifiedAll = new Promise<void>((resolve) => {
      allNotified = resolve
    })
    const publish: Publish = async (topic, payload) => {
      await fleet.publishAsync(topic, payload, { qos: 1 })
    }
    fleet.on('message', (topic, payload) => {
      const [, , kioskId = '', , command = ''] = topic.split('/')
      const k = kiosks.get(kioskId)
      if (k === undefined) return
      if (command === 'update' && !k.deployments.size) {
        notified += 1
        if (notified === kiosks.size) allNotified()
      }
      void simHandleRequest(k, command, payload.toString('utf8'), publish).catch(() => undefined)
    })
    await fleet.subscribeAsync('kiosk/v1/+/req/+', { qos: 1 })
    await seedArtifact(stack.db, {
      id: 'art_bench',
      kind: 'app',
      version: '1.1.0',
      approvedDepartments: [...new Set([...kiosks.values()].map((k) => k.birth.department))],
    })
    const created = await stack.api<{ id: string }>('ada', 'POST', '/api/rollouts', {
      name: 'bench',
      artifactId: 'art_bench',
      groups: options.groups ?? [{ percent: 1 }, { percent: 100 }],
      successThreshold: 0.95,
      errorThreshold: 0.5,
      errorMinSample: 10,
      installMode: 'immediate',
      kioskTimeoutMs: 3_600_000,
    })
    if (created.status !== 201) throw new Error(`rollout not created: ${JSON.stringify(created.body)}`)
    const id = created.body.id
    await stack.api('ben', 'POST', `/api/rollouts/${id}/approve`, {})
    const started = Date.now()
    await stack.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    const deadline = started + (options.timeoutMs ?? 600_000)
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      notifiedAll,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('not every kiosk notified')), deadline - Date.now())
      }),
    ]).finally(() => clearTimeout(timer))
    const notifyMs = Date.now() - started
    // Polls the rollout's status only (the detail route also recounts exclusions over the whole fleet).
    let status = 'running'
    while (Date.now() < deadline && status === 'running') {
      await new Promise((r) => setTimeout(r, 100))
      const [row] = await stack.db.query<{ status: string }>('SELECT status FROM rollouts WHERE id = $1', [id])
      status = row?.status ?? 'missing'
    }
    const completeMs = Date.now() - started
    const detail = (await stack.api<{ totals: Record<string, number> }>('ada', 'GET', `/api/rollouts/${id}`)).body
    return { kiosks: options.kiosks, notifyMs, completeMs, states: detail.totals, status }
  } finally {
    await fleet.endAsync()
    await stack.stop()
  }
}

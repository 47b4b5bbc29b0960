import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError, isAppError } from '@drivers/core'
import { compareVersions, type GateBlock, type UpdateAgentHealth, type UpdateParams } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { updateCapabilitiesOf } from '../devices/device-updates.ts'
import { AbInstaller } from './ab-installer.ts'
import { effectiveAppVersion, unpackRelease } from './app-release.ts'
import { appInstaller, type CatalogueUpdates, configInstaller, firmwareInstaller } from './kind-installers.ts'
import { type DownloadLimits, downloadTarget, matches } from './target-downloader.ts'
import { TufErrorCodes } from './tuf-errors.ts'
import type { TrustedTarget, TufResult, TufVerifier } from './tuf-verifier.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import { decideGate, type MaintenancePolicy, nextOpportunity } from './update-gate.ts'
import type { DeploymentReport, UpdateHost } from './update-host.ts'
import { type UpdateInstaller, type UpdateReport, UpdateStateMachine } from './update-state-machine.ts'
import { FileUpdateStateStore, type UpdateArtifact, type UpdateStateStore } from './update-state-store.ts'
import { TERMINAL_STATES, type UpdateState } from './update-transitions.ts'

export type { DeploymentReport } from './update-host.ts'

export interface UpdateServiceSettings {
  /** Holds releases/<version>, current, previous. */
  releasesDir: string
  /** Trusted metadata, downloads, device config markers, the state record. */
  stateDir: string
  /** The kiosk image's own app version (config.appVersion). */
  baseAppVersion: string
  /** This kiosk's machine type: a target whose custom `machineTypes` leaves it out is refused. */
  machineType?: string
  healthCheckTimeoutMs: number
  metadataRefreshMs: number
  gatePollMs: number
  staleRetryMs: number
  downloadRetryMs: number
  downloadAttempts: number
  /** Per attempt: stall, minimum rate, deadline (target-downloader.ts); a breach resumes at the next attempt. */
  downloadLimits?: DownloadLimits
  deviceTimeoutMs: number
}

export interface UpdateServiceOptions {
  settings: UpdateServiceSettings
  verifier: Pick<TufVerifier, 'refresh' | 'targetInfo' | 'trusted'>
  /** The kiosk it runs in: devices, gate state, service hold, reports, restart, health. */
  host: UpdateHost
  fetch?: typeof fetch
  store?: UpdateStateStore
  /** Department catalogue bundles (kind `catalogue`); without it they are refused as unsupported. */
  catalogue?: CatalogueUpdates
  now?: () => number
  logger: Logger
}

export type UpdateOutcome = 'accepted' | 'alreadyInstalled' | 'inProgress' | 'resumed'
export type CancelOutcome = 'cancelled' | 'tooLate' | 'unknown'

const BEFORE_INSTALL: ReadonlySet<UpdateState> = new Set(['downloading', 'verifying', 'awaitingGate'])
const HOLDING: ReadonlySet<UpdateState> = new Set(['installing', 'rebooting', 'healthCheck', 'rollingBack'])
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/
const ALWAYS: MaintenancePolicy = { windows: [], openingHours: {}, holidays: [], closedDaysAllDay: true }

/**
 * The kiosk's update agent: answers `update` / `cancel-update`, owns the persisted state machine,
 * downloads with resume, re-verifies against fresh TUF metadata at the gate, installs by kind and
 * reports every transition on `deployments/{id}`. The notification is only a nudge: what gets
 * installed is what verified TUF metadata lists under `target`, and its custom fields
 * (`kind`, `version`, `deviceModel`, `machineTypes` when listed) must agree with the notification and this kiosk.
 */
export class UpdateService {
  readonly #o: UpdateServiceOptions
  readonly #s: UpdateServiceSettings
  readonly #log: Logger
  readonly #now: () => number
  readonly #machine: UpdateStateMachine
  readonly #ab: AbInstaller
  #active: UpdateArtifact | undefined
  #running: Promise<unknown> | undefined
  #resumedId: string | undefined
  #cancel = new AbortController()
  #stopped = false
  #blockedBy: GateBlock[] = []
  #trusted: TrustedTarget | undefined
  #fresh: { expires?: number; lastRefreshTs?: number } = {}
  #refreshTimer: ReturnType<typeof setInterval> | undefined
  /** tuf-js writes the trusted metadata directory: one refresh at a time. */
  #tufQueue: Promise<unknown> = Promise.resolve()
  #holding = false

  constructor(options: UpdateServiceOptions) {
    this.#o = options
    this.#s = options.settings
    this.#log = options.logger
    this.#now = options.now ?? Date.now
    this.#ab = new AbInstaller({
      root: this.#s.releasesDir,
      unpack: (staged, dir) => unpackRelease(staged, dir, this.#active?.version ?? ''),
    })
    const store = options.store ?? new FileUpdateStateStore(join(this.#s.stateDir, 'state.json'))
    this.#machine = new UpdateStateMachine({
      store,
      installer: this.#dispatchingInstaller(),
      download: (artifact, onProgress) => this.#download(artifact, onProgress),
      verify: (artifact, staged) => this.#verify(artifact, staged),
      waitForGate: () => this.#waitForGate(),
      restart: (reason) => this.#restart(reason),
      healthCheck: (version) => this.#healthCheck(version),
      report: (report) => this.#report(report),
      now: this.#now,
      logger: this.#log,
    })
    this.#active = this.#machine.record?.artifact
  }

  /** The A/B installer of app releases (for `effectiveAppVersion` and tests). */
  get releases(): AbInstaller {
    return this.#ab
  }

  get state(): UpdateState {
    return this.#machine.state
  }

  get deploymentId(): string | undefined {
    return this.#machine.record?.deploymentId
  }

  /** Resumes a persisted deployment (after a restart or power loss) and starts the periodic refresh. */
  async start(): Promise<void> {
    this.#stopped = false
    await this.#loadTrustedFreshness()
    this.#refreshTimer = setInterval(() => void this.refreshMetadata(), this.#s.metadataRefreshMs)
    // Health shows the metadata's freshness from the first snapshot on; a fleet out of reach only logs.
    void this.refreshMetadata().catch((err: unknown) => this.#log.warn({ err }, 'TUF refresh failed'))
    const record = this.#machine.record
    if (record !== undefined && !TERMINAL_STATES.has(record.state)) this.#resumedId = record.deploymentId
    if (record !== undefined && HOLDING.has(record.state)) this.#hold()
    this.#run(() => this.#machine.resume())
  }

  /** Stops timers and abandons what runs without failing it: the persisted state resumes on the next start. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#refreshTimer)
    this.#cancel.abort()
  }

  /** Waits for the deployment running in this process to stop (for tests and the demo). */
  async settled(): Promise<void> {
    await this.#running
  }

  async update(params: UpdateParams): Promise<{ deploymentId: string; outcome: UpdateOutcome }> {
    const { deploymentId } = params
    checkTarget(params)
    const record = this.#machine.record
    if (record !== undefined && !TERMINAL_STATES.has(record.state)) {
      if (record.deploymentId !== deploymentId) {
        throw new AppError(UpdateErrorCodes.busy, `deployment ${record.deploymentId} is ${record.state}`, {
          context: { deploymentId, running: record.deploymentId, state: record.state },
        })
      }
      return { deploymentId, outcome: this.#resumedId === deploymentId ? 'resumed' : 'inProgress' }
    }
    if (record?.deploymentId === deploymentId && record.state === 'committed') {
      this.#o.host.publish({ deploymentId, state: 'success', version: record.artifact.version })
      return { deploymentId, outcome: 'alreadyInstalled' }
    }
    const artifact: UpdateArtifact = {
      version: params.version,
      target: params.target,
      kind: params.kind,
      install: params.install,
      ...(params.device ? { device: params.device } : {}),
      ...(params.deadline === undefined ? {} : { deadline: params.deadline }),
    }
    if (params.kind === 'catalogue') {
      if (this.#o.catalogue === undefined) {
        this.#refuse(deploymentId, UpdateErrorCodes.unsupported, 'this kiosk takes no catalogue bundles')
      }
      if (this.#installerFor(artifact).currentVersion() === params.version) {
        this.#o.host.publish({ deploymentId, state: 'success', version: params.version })
        return { deploymentId, outcome: 'alreadyInstalled' }
      }
    } else if (params.kind !== 'app') {
      const device = params.device === undefined ? undefined : this.#o.host.findDevice(params.device)
      if (device === undefined) {
        this.#refuse(deploymentId, UpdateErrorCodes.deviceMissing, `no peripheral of model ${describe(params.device)}`)
      }
      artifact.deviceId = device.deviceId
      const installer = this.#installerFor(artifact)
      const caps = updateCapabilitiesOf(device)
      if ((params.kind === 'firmware' ? caps.updateFirmware : caps.applyConfig) === undefined) {
        this.#refuse(
          deploymentId,
          UpdateErrorCodes.unsupported,
          `${device.deviceId} (${describe(params.device)}) cannot take ${params.kind} updates`,
        )
      }
      if (installer.currentVersion() === params.version) {
        this.#o.host.publish({ deploymentId, state: 'success', version: params.version })
        return { deploymentId, outcome: 'alreadyInstalled' }
      }
    } else if (this.#installerFor(artifact).currentVersion() === params.version) {
      this.#o.host.publish({ deploymentId, state: 'success', version: params.version })
      return { deploymentId, outcome: 'alreadyInstalled' }
    }
    this.#active = artifact
    this.#resumedId = undefined
    this.#trusted = undefined
    this.#blockedBy = []
    this.#cancel = new AbortController()
    this.#run(() => this.#machine.start(deploymentId, artifact))
    return { deploymentId, outcome: 'accepted' }
  }

  async cancel(deploymentId: string): Promise<{ deploymentId: string; outcome: CancelOutcome }> {
    const record = this.#machine.record
    if (record?.deploymentId !== deploymentId) return { deploymentId, outcome: 'unknown' }
    if (BEFORE_INSTALL.has(record.state)) {
      this.#cancel.abort(new AppError(UpdateErrorCodes.cancelled, `deployment ${deploymentId} was cancelled`))
      return { deploymentId, outcome: 'cancelled' }
    }
    if (record.state === 'failed' && record.errorCode === UpdateErrorCodes.cancelled) {
      return { deploymentId, outcome: 'cancelled' }
    }
    return { deploymentId, outcome: 'tooLate' }
  }

  /** The `updates` section of every health snapshot. */
  health(): UpdateAgentHealth {
    const record = this.#machine.record
    const stale = this.#isStale()
    return {
      metadataStale: stale,
      ...(this.#fresh.expires === undefined ? {} : { metadataExpires: this.#fresh.expires }),
      ...(this.#fresh.lastRefreshTs === undefined ? {} : { lastRefreshTs: this.#fresh.lastRefreshTs }),
      ...(record === undefined ? {} : { deploymentId: record.deploymentId, phase: record.state }),
    }
  }

  /** Refreshes TUF metadata now; returns whether the kiosk holds fresh metadata afterwards. */
  async refreshMetadata(): Promise<boolean> {
    const result = await this.#tuf(() => this.#o.verifier.refresh())
    const wasStale = this.#isStale()
    if (result.ok) {
      this.#fresh = { expires: Date.parse(result.value.timestampExpires), lastRefreshTs: this.#now() }
    } else {
      this.#log.warn({ code: result.error.code, err: result.error.message }, 'TUF refresh failed')
      await this.#loadTrustedFreshness()
    }
    if (wasStale !== this.#isStale() || result.ok) this.#healthChanged()
    return !this.#isStale() && result.ok
  }

  // ── state machine hooks ──────────────────────────────────────────────────────────

  async #download(artifact: UpdateArtifact, onProgress: (fraction: number) => void): Promise<string> {
    checkTarget(artifact)
    const destination = join(this.#s.stateDir, 'downloads', artifact.target)
    let lastError: unknown
    for (let attempt = 1; attempt <= this.#s.downloadAttempts; attempt++) {
      await this.#checkCancelled()
      try {
        const target = await this.#trustedTarget(artifact)
        return await downloadTarget(target, {
          destination,
          onProgress,
          signal: this.#cancel.signal,
          ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
          now: this.#now,
          ...(this.#s.downloadLimits ? { limits: this.#s.downloadLimits } : {}),
        })
      } catch (err) {
        await this.#checkCancelled()
        if (!isRetryable(err)) throw err
        lastError = err
        this.#log.warn({ err, attempt }, 'download interrupted, resuming later')
        await this.#sleep(this.#s.downloadRetryMs)
      }
    }
    throw lastError
  }

  async #verify(artifact: UpdateArtifact, staged: string): Promise<void> {
    const target = this.#trusted ?? (await this.#trustedTarget(artifact))
    if (!(await matches(staged, target))) {
      throw new AppError(TufErrorCodes.targetMismatch, `${artifact.target} on disk does not match TUF`)
    }
  }

  /**
   * Waits until nobody is served, no card and no paper is in the kiosk, the clock is inside the
   * window and the trusted metadata is fresh; refreshes TUF and re-checks the staged file just before
   * letting installing begin. Reports `downloaded` with `blockedBy` whenever the reasons change.
   */
  async #waitForGate(): Promise<void> {
    const artifact = this.#requireActive()
    const policy = policyOf(artifact)
    let lastRefresh = Number.NEGATIVE_INFINITY
    let metadataBlocked = false
    for (;;) {
      await this.#checkCancelled()
      if (artifact.deadline !== undefined && this.#now() > artifact.deadline) {
        throw new AppError(UpdateErrorCodes.deadline, `not installed by ${new Date(artifact.deadline).toISOString()}`)
      }
      const decision = decideGate(this.#now(), this.#o.host.activity(), policy)
      const reasons: GateBlock[] = decision.open ? [] : [...decision.reasons]
      if (reasons.length === 0) {
        // Refresh and re-verify right before installing (TUF: never install on stale metadata).
        if (this.#now() - lastRefresh >= (metadataBlocked ? this.#s.staleRetryMs : 0)) {
          lastRefresh = this.#now()
          metadataBlocked = !(await this.#reverify(artifact))
          await this.#checkCancelled()
        }
        if (!metadataBlocked) {
          // Same tick as the decision: no session can start in between.
          if (decideGate(this.#now(), this.#o.host.activity(), policy).open) {
            this.#hold()
            return
          }
          continue
        }
      }
      if (metadataBlocked || this.#isStale()) reasons.push('metadataStale')
      this.#setBlocked(reasons)
      let delay = metadataBlocked ? Math.min(this.#s.gatePollMs, this.#s.staleRetryMs) : this.#s.gatePollMs
      if (reasons.length === 1 && reasons[0] === 'outsideWindow') {
        const next = nextOpportunity(this.#now(), policy)
        if (next === undefined) throw new AppError(UpdateErrorCodes.gateFailed, 'the site calendar has no window')
        delay = Math.min(Math.max(next - this.#now(), 1000), 15 * 60_000)
      }
      await this.#sleep(delay)
    }
  }

  /**
   * Refreshes TUF and checks the staged file against what it lists now. Returns false (keep
   * waiting, `metadataStale`) when the fleet is unreachable or the timestamp expired and the trusted
   * metadata cannot vouch for the file; throws when the artifact was revoked, replaced or tampered with.
   */
  async #reverify(artifact: UpdateArtifact): Promise<boolean> {
    const staged = this.#machine.record?.stagedPath
    const result = await this.#tuf(() => this.#o.verifier.targetInfo(artifact.target))
    if (!result.ok) {
      const { code } = result.error
      if (code !== TufErrorCodes.unreachable && code !== TufErrorCodes.metadataExpired) {
        throw new AppError(code, result.error.message)
      }
      await this.#loadTrustedFreshness()
      this.#healthChanged()
      // Unreachable but the trusted timestamp is still valid: what it listed may still be installed.
      const cached = this.#trusted
      if (this.#isStale() || cached === undefined || staged == null) return false
      if (!(await matches(staged, cached))) {
        throw new AppError(TufErrorCodes.targetMismatch, `${artifact.target} on disk no longer matches TUF`)
      }
      return true
    }
    this.#fresh = { expires: Date.parse(result.value.timestampExpires), lastRefreshTs: this.#now() }
    this.#healthChanged()
    checkCustom(artifact, result.value, this.#kioskFacts(artifact))
    this.#trusted = result.value
    if (staged == null || !(await matches(staged, result.value))) {
      throw new AppError(TufErrorCodes.targetMismatch, `${artifact.target} on disk no longer matches TUF`)
    }
    return true
  }

  async #restart(reason: 'update' | 'rollback'): Promise<void> {
    if (this.#requireActive().kind !== 'app' && this.#requireActive().kind !== undefined) return
    this.#log.info({ reason }, 'restarting the agent on the switched release')
    this.#o.host.restartAgent()
    // The process is replaced; this one must not go on as if it were the new release.
    await new Promise<never>(() => undefined)
  }

  async #healthCheck(version: string): Promise<boolean> {
    const artifact = this.#requireActive()
    const deadline =
      this.#now() +
      (artifact.kind === 'app' || artifact.kind === undefined ? this.#s.healthCheckTimeoutMs : this.#s.deviceTimeoutMs)
    for (;;) {
      if (await this.#healthyOnce(artifact, version)) return true
      if (this.#now() >= deadline) return false
      await this.#sleep(Math.min(500, Math.max(1, deadline - this.#now())))
    }
  }

  async #healthyOnce(artifact: UpdateArtifact, version: string): Promise<boolean> {
    if (artifact.kind === 'app' || artifact.kind === undefined) return this.#o.host.appHealthy()
    if (artifact.kind === 'catalogue') {
      return this.#o.catalogue?.loaded(catalogueDepartment(artifact.target), version) ?? false
    }
    const device = artifact.deviceId === undefined ? undefined : this.#o.host.deviceById(artifact.deviceId)
    if (device === undefined || device.status().state !== 'online') return false
    return artifact.kind === 'config' || device.identity.firmware === version
  }

  async #report(report: UpdateReport): Promise<void> {
    const out: DeploymentReport = { deploymentId: report.deploymentId, state: report.state }
    if (report.progress !== undefined) out.progress = report.progress
    if (report.errorCode !== undefined) out.errorCode = report.errorCode
    const record = this.#machine.record
    if (report.state === 'downloaded') out.blockedBy = [...this.#blockedBy]
    if (report.state === 'success' && record) out.version = record.artifact.version
    if (report.state === 'rolledBack' && record?.previousVersion) out.version = record.previousVersion
    if (this.#stopped) {
      // The outbox is closed. A terminal state must stay unreported so the next start publishes it.
      if (TERMINAL_STATES.has(report.phase)) throw new AppError(UpdateErrorCodes.illegalEvent, 'update agent stopped')
      return
    }
    try {
      this.#o.host.publish(out)
    } catch (err) {
      this.#log.error({ err }, 'deployment report could not be queued')
    }
    if (TERMINAL_STATES.has(report.phase)) {
      this.#release()
      if (this.#active?.kind === 'firmware' || this.#active?.kind === 'config') this.#o.host.inventoryChanged()
    }
    this.#healthChanged()
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────

  #dispatchingInstaller(): UpdateInstaller {
    const pick = () => this.#installerFor(this.#requireActive())
    return {
      currentVersion: () => pick().currentVersion(),
      install: (version, staged) => pick().install(version, staged),
      switchTo: (version) => pick().switchTo(version),
      rollbackTo: (version) => pick().rollbackTo(version),
      gc: () => pick().gc(),
    }
  }

  #installerFor(artifact: UpdateArtifact): UpdateInstaller {
    if (artifact.kind === 'app' || artifact.kind === undefined) {
      return appInstaller(this.#ab, this.#s.releasesDir, this.#s.baseAppVersion)
    }
    if (artifact.kind === 'catalogue') {
      if (this.#o.catalogue === undefined) {
        throw new AppError(UpdateErrorCodes.unsupported, 'this kiosk takes no catalogue bundles')
      }
      return this.#o.catalogue.installer(catalogueDepartment(artifact.target))
    }
    const device = artifact.deviceId === undefined ? undefined : this.#o.host.deviceById(artifact.deviceId)
    if (device === undefined) {
      throw new AppError(UpdateErrorCodes.deviceMissing, `peripheral ${artifact.deviceId} is not configured`)
    }
    return artifact.kind === 'firmware'
      ? firmwareInstaller(device)
      : configInstaller(device, join(this.#s.stateDir, 'device-config'))
  }

  /** What a target's compatibility is checked against: this kiosk's machine type and running app version. */
  #kioskFacts(artifact: UpdateArtifact): Parameters<typeof checkCustom>[2] {
    const device = artifact.deviceId === undefined ? undefined : this.#o.host.deviceById(artifact.deviceId)
    return {
      machineType: this.#s.machineType,
      appVersion: effectiveAppVersion(this.#s.releasesDir, this.#s.baseAppVersion),
      hwRevision: device?.identity.hwRevision,
    }
  }

  async #trustedTarget(artifact: UpdateArtifact): Promise<TrustedTarget> {
    const result: TufResult<TrustedTarget> = await this.#tuf(() => this.#o.verifier.targetInfo(artifact.target))
    if (!result.ok) throw new AppError(result.error.code, result.error.message)
    this.#fresh = { expires: Date.parse(result.value.timestampExpires), lastRefreshTs: this.#now() }
    checkCustom(artifact, result.value, this.#kioskFacts(artifact))
    this.#trusted = result.value
    return result.value
  }

  /** Tells the agent the health section changed; nothing once stopped (the outbox is closed then). */
  #healthChanged(): void {
    if (!this.#stopped) this.#o.host.healthChanged()
  }

  #tuf<T>(call: () => Promise<T>): Promise<T> {
    const next = this.#tufQueue.then(call, call)
    this.#tufQueue = next.catch(() => undefined)
    return next
  }

  #setBlocked(reasons: GateBlock[]): void {
    const same = reasons.length === this.#blockedBy.length && reasons.every((r, i) => r === this.#blockedBy[i])
    if (same) return
    this.#blockedBy = reasons
    const record = this.#machine.record
    if (record === undefined) return
    this.#o.host.publish({
      deploymentId: record.deploymentId,
      state: 'downloaded',
      progress: 1,
      blockedBy: [...reasons],
    })
  }

  async #loadTrustedFreshness(): Promise<void> {
    const trusted = await this.#tuf(() => this.#o.verifier.trusted())
    if (trusted.ok) this.#fresh = { ...this.#fresh, expires: Date.parse(trusted.value.timestampExpires) }
  }

  #isStale(): boolean {
    return this.#fresh.expires !== undefined && this.#fresh.expires <= this.#now()
  }

  #hold(): void {
    if (this.#holding) return
    this.#holding = true
    this.#o.host.holdService()
  }

  #release(): void {
    if (!this.#holding) return
    this.#holding = false
    this.#o.host.releaseService()
  }

  #run(job: () => Promise<unknown>): void {
    const running = job().catch((err: unknown) => {
      if (!this.#stopped) this.#log.error({ err }, 'update state machine stopped with an error')
    })
    this.#running = running
  }

  /**
   * Throws the cancellation (the machine records it as the failure); when the agent is stopping it
   * never settles instead, so nothing is persisted and the next start resumes the same state.
   */
  async #checkCancelled(): Promise<void> {
    const reason: unknown = this.#cancel.signal.reason
    if (this.#cancel.signal.aborted && isAppError(reason) && !this.#stopped) throw reason
    if (this.#stopped || this.#cancel.signal.aborted) await new Promise<never>(() => undefined)
  }

  #requireActive(): UpdateArtifact {
    const artifact = this.#active ?? this.#machine.record?.artifact
    if (artifact === undefined) throw new AppError(UpdateErrorCodes.illegalEvent, 'no deployment in progress')
    this.#active = artifact
    return artifact
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#cancel.signal
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      function done(): void {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
    })
  }

  #refuse(deploymentId: string, code: string, message: string): never {
    this.#o.host.publish({ deploymentId, state: 'failure', errorCode: code })
    throw new AppError(code, message, { context: { deploymentId } })
  }
}

const RETRYABLE: ReadonlySet<string> = new Set([
  UpdateErrorCodes.downloadFailed,
  UpdateErrorCodes.downloadStalled,
  UpdateErrorCodes.downloadTooSlow,
  UpdateErrorCodes.downloadDeadline,
  TufErrorCodes.unreachable,
])

function isRetryable(err: unknown): boolean {
  return isAppError(err) && RETRYABLE.has(err.code)
}

/** A target path the kiosk is willing to write below its download directory. */
function checkTarget(artifact: { target: string }): void {
  const segments = artifact.target.split('/')
  if (segments.length < 3 || !segments.every((s) => SEGMENT.test(s))) {
    throw new AppError(UpdateErrorCodes.badRequest, `target ${JSON.stringify(artifact.target)} is not a safe path`)
  }
}

/**
 * The verified target's custom fields must describe what the notification asked for
 * (ERR_KIOSK_UPDATE_ARTIFACT_MISMATCH), and this kiosk must meet its compatibility: machine type and
 * minimum app version (ERR_KIOSK_UPDATE_INCOMPATIBLE). The fleet checked both before targeting the
 * kiosk; the kiosk checks again against what was signed, not what it was told.
 */
export function checkCustom(
  artifact: UpdateArtifact,
  target: Pick<TrustedTarget, 'path' | 'custom'>,
  kiosk: { machineType?: string | undefined; appVersion: string; hwRevision?: string | undefined },
): void {
  const c = target.custom
  const kind = artifact.kind ?? 'app'
  const problems: string[] = []
  if (c.kind !== kind) problems.push(`kind ${String(c.kind)} ≠ ${kind}`)
  if (c.version !== artifact.version) problems.push(`version ${String(c.version)} ≠ ${artifact.version}`)
  if (kind === 'catalogue') {
    const department = catalogueDepartment(artifact.target)
    if (c.department !== department) problems.push(`department ${String(c.department)} ≠ ${department}`)
  } else if (kind !== 'app') {
    const model = artifact.device?.model
    const vendor = artifact.device?.vendor
    const deviceModel = c.deviceModel
    if (deviceModel !== model && deviceModel !== `${vendor}/${model}`) {
      problems.push(`deviceModel ${String(deviceModel)} ≠ ${model}`)
    }
    if (c.vendor !== undefined && c.vendor !== vendor) problems.push(`vendor ${String(c.vendor)} ≠ ${vendor}`)
  }
  if (problems.length > 0) {
    throw new AppError(
      UpdateErrorCodes.artifactMismatch,
      `${target.path} in TUF is not what the notification names: ${problems.join(', ')}`,
      { context: { target: target.path, problems } },
    )
  }
  const unmet: string[] = []
  const { machineType, appVersion } = kiosk
  const machineTypes = c.machineTypes
  if (machineType !== undefined && Array.isArray(machineTypes) && machineTypes.length > 0) {
    if (!machineTypes.includes(machineType))
      unmet.push(`machineTypes ${machineTypes.join(',')} leave out ${machineType}`)
  }
  const hwRevisions = c.hwRevisions
  if ((kind === 'firmware' || kind === 'config') && Array.isArray(hwRevisions) && hwRevisions.length > 0) {
    // As the fleet's selection does: a device that states no revision is not assumed to fit.
    if (kiosk.hwRevision === undefined) unmet.push(`hwRevisions ${hwRevisions.join(',')}, the device states none`)
    else if (!hwRevisions.includes(kiosk.hwRevision))
      unmet.push(`hwRevisions ${hwRevisions.join(',')} leave out ${kiosk.hwRevision}`)
  }
  const minAppVersion = c.minAppVersion
  if (typeof minAppVersion === 'string' && minAppVersion !== '' && compareVersions(appVersion, minAppVersion) < 0) {
    unmet.push(`needs app ${minAppVersion} or later, this kiosk runs ${appVersion}`)
  }
  if (unmet.length > 0) {
    throw new AppError(UpdateErrorCodes.incompatible, `${target.path} does not fit this kiosk: ${unmet.join(', ')}`, {
      context: { target: target.path, unmet },
    })
  }
}

function policyOf(artifact: UpdateArtifact): MaintenancePolicy {
  const install = artifact.install
  if (install === undefined || install.mode === 'immediate' || install.schedule === undefined) return ALWAYS
  const s = install.schedule as NonNullable<UpdateParams['install']['schedule']>
  const openingHours: MaintenancePolicy['openingHours'] = {}
  for (const [day, hours] of Object.entries(s.openingHours)) {
    if (hours !== undefined) openingHours[Number(day) as 0] = hours
  }
  return {
    windows: s.windows,
    openingHours,
    holidays: s.holidays,
    ...(s.makeUpWorkdays ? { makeUpWorkdays: s.makeUpWorkdays } : {}),
    ...(s.closedDaysAllDay === undefined ? {} : { closedDaysAllDay: s.closedDaysAllDay }),
  }
}

/** The department of a catalogue bundle's target path, `catalogue/<department>/<file>`. */
function catalogueDepartment(target: string): string {
  return target.split('/')[1] ?? ''
}

function describe(ref: { vendor: string; model: string } | undefined): string {
  return ref === undefined ? '(none given)' : `${ref.vendor}/${ref.model}`
}

/** Reads a staged artifact (firmware images are small enough to hold in memory). */
export async function readStaged(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path))
}

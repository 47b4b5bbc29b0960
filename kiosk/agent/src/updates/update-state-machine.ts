import { AppError, isAppError } from '@drivers/core'
import type { Logger } from 'pino'
import { UpdateErrorCodes } from './update-errors.ts'
import {
  UPDATE_STATE_SCHEMA_VERSION,
  type UpdateArtifact,
  type UpdateRecord,
  type UpdateStateStore,
} from './update-state-store.ts'
import {
  DEPLOYMENT_STATE_OF,
  type DeploymentStateName,
  nextState,
  TERMINAL_STATES,
  type UpdateEvent,
  type UpdateState,
} from './update-transitions.ts'

export { nextState, UPDATE_TRANSITIONS } from './update-transitions.ts'

/** One published transition; the MQTT side adds seq and ts to make a DeploymentStatusPayload. */
export interface UpdateReport {
  deploymentId: string
  state: DeploymentStateName
  /** The internal state behind `state`, for logs. */
  phase: UpdateState
  progress?: number
  errorCode?: string
}

/** What installs an artifact: the A/B installer for app releases, a peripheral's driver for firmware/config. */
export interface UpdateInstaller {
  currentVersion(): string | undefined
  install(version: string, stagedPath: string): Promise<void>
  switchTo(version: string): void | Promise<void>
  rollbackTo(version: string): void | Promise<void>
  gc(): unknown
}

export interface UpdateStateMachineOptions {
  store: UpdateStateStore
  installer: UpdateInstaller
  /** Downloads (again, from scratch or resuming) and returns the staged file's path. */
  download: (artifact: UpdateArtifact, onProgress: (fraction: number) => void) => Promise<string>
  /** Verifies the staged file (TUF); throws when it must not be installed. */
  verify: (artifact: UpdateArtifact, stagedPath: string) => Promise<void>
  /** Resolves once installing may start (see update-gate.ts); rejects to abandon the deployment. */
  waitForGate: () => Promise<void>
  /** Restarts into whatever `current` points at. May never return (the process is replaced). */
  restart: (reason: 'update' | 'rollback') => Promise<void>
  /** Whether the release now running is healthy (UI up, agent link up, devices answered). */
  healthCheck: (version: string) => Promise<boolean>
  /** Publishes a transition (outbox-backed); must not throw. */
  report: (report: UpdateReport) => void | Promise<void>
  now?: () => number
  /** A state entered more often than this in a row (crash loop) forces the failure path. Default 3. */
  maxStateLoops?: number
  logger?: Logger
}

interface Step {
  event: UpdateEvent
  patch?: Partial<Pick<UpdateRecord, 'stagedPath' | 'errorCode'>>
}

const FAILURE_CODE: Partial<Record<UpdateState, string>> = {
  downloading: UpdateErrorCodes.downloadFailed,
  verifying: UpdateErrorCodes.verifyFailed,
  awaitingGate: UpdateErrorCodes.gateFailed,
  installing: UpdateErrorCodes.installFailed,
  rebooting: UpdateErrorCodes.restartFailed,
  healthCheck: UpdateErrorCodes.healthCheckFailed,
  rollingBack: UpdateErrorCodes.rollbackFailed,
}

/**
 * The kiosk's update state machine (mender style). Every transition is persisted (state, loop
 * counter, rollback target) with an atomic write BEFORE the new state's action runs, then published.
 * After a power loss `resume()` re-enters the persisted state: every action is idempotent
 * (download again, verify again, unpack-if-missing + pointer switch, pointer switch back), and a
 * state re-entered more than `maxStateLoops` times in a row takes the failure path.
 */
export class UpdateStateMachine {
  readonly #o: UpdateStateMachineOptions
  readonly #now: () => number
  readonly #maxLoops: number
  #record: UpdateRecord | undefined

  constructor(options: UpdateStateMachineOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    this.#maxLoops = options.maxStateLoops ?? 3
    this.#record = options.store.load()
  }

  get record(): Readonly<UpdateRecord> | undefined {
    return this.#record
  }

  get state(): UpdateState {
    return this.#record?.state ?? 'idle'
  }

  /** Begins a deployment and runs it as far as it goes in this process. */
  async start(deploymentId: string, artifact: UpdateArtifact): Promise<UpdateRecord> {
    if (!TERMINAL_STATES.has(this.state)) {
      throw new AppError(UpdateErrorCodes.busy, `deployment ${this.#record?.deploymentId} is still ${this.state}`, {
        context: { deploymentId, state: this.state },
      })
    }
    this.#record = {
      schemaVersion: UPDATE_STATE_SCHEMA_VERSION,
      deploymentId,
      artifact: { ...artifact },
      state: this.#record?.state ?? 'idle',
      loopCount: 0,
      previousVersion: this.#o.installer.currentVersion() ?? null,
      stagedPath: null,
      errorCode: null,
      reported: false,
      updatedAt: this.#now(),
    }
    await this.#transition({ event: 'start' })
    return this.#drive(true)
  }

  /**
   * Continues after a restart or power loss from the persisted state. The persisted state is
   * published again (power may have been lost between the write and the report); the server takes
   * repeated reports idempotently.
   */
  async resume(): Promise<UpdateRecord | undefined> {
    const record = this.#record
    if (record === undefined) return undefined
    if (TERMINAL_STATES.has(record.state)) {
      if (!record.reported) await this.#publish(record)
      return this.#record
    }
    const loopCount = record.loopCount + 1
    if (loopCount > this.#maxLoops) {
      this.#o.logger?.error({ state: record.state, loopCount }, 'update state loops, taking the failure path')
      await this.#transition({ event: 'fail', patch: { errorCode: UpdateErrorCodes.crashLoop } })
      return this.#drive(true)
    }
    this.#record = { ...record, loopCount, updatedAt: this.#now() }
    await this.#o.store.save(this.#record)
    await this.#publish(this.#record)
    return this.#drive(false)
  }

  async #drive(fresh: boolean): Promise<UpdateRecord> {
    let enteredNow = fresh
    for (;;) {
      const record = this.#current()
      const step = await this.#enter(record, enteredNow)
      if (step === undefined) return record
      await this.#transition(step)
      enteredNow = true
    }
  }

  /** Runs the action of `record.state`; `fresh` is false when re-entered by resume(). */
  async #enter(record: UpdateRecord, fresh: boolean): Promise<Step | undefined> {
    try {
      return await this.#action(record, fresh)
    } catch (err) {
      const errorCode = errorCodeOf(err, FAILURE_CODE[record.state] ?? UpdateErrorCodes.installFailed)
      this.#o.logger?.warn({ err, state: record.state, errorCode }, 'update step failed')
      return { event: 'fail', patch: { errorCode } }
    }
  }

  async #action(record: UpdateRecord, fresh: boolean): Promise<Step | undefined> {
    const { artifact } = record
    switch (record.state) {
      case 'idle':
      case 'failed':
        return undefined
      case 'downloading': {
        const stagedPath = await this.#o.download(artifact, (progress) => this.#progress(progress))
        return { event: 'downloaded', patch: { stagedPath } }
      }
      case 'verifying':
        await this.#o.verify(artifact, requireStaged(record))
        return { event: 'verified' }
      case 'awaitingGate':
        await this.#o.waitForGate()
        return { event: 'gateOpen' }
      case 'installing':
        await this.#o.installer.install(artifact.version, requireStaged(record))
        await this.#o.installer.switchTo(artifact.version)
        return { event: 'installed' }
      case 'rebooting':
        // Re-entered after the restart: whichever process runs now started from the switched pointer.
        if (fresh) await this.#o.restart('update')
        return { event: 'restarted' }
      case 'healthCheck': {
        const running = this.#o.installer.currentVersion()
        if (running !== artifact.version) {
          throw new AppError(UpdateErrorCodes.installFailed, `current is ${running}, not ${artifact.version}`)
        }
        if (!(await this.#o.healthCheck(artifact.version))) {
          throw new AppError(UpdateErrorCodes.healthCheckFailed, `release ${artifact.version} is unhealthy`)
        }
        return { event: 'healthy' }
      }
      case 'rollingBack':
        if (record.previousVersion === null) {
          throw new AppError(UpdateErrorCodes.rollbackFailed, 'no previous release to roll back to')
        }
        await this.#o.installer.rollbackTo(record.previousVersion)
        return { event: 'rolledBack' }
      case 'committed':
        if (fresh) this.#collectGarbage()
        return undefined
      case 'rolledBack':
        if (fresh) await this.#o.restart('rollback')
        return undefined
    }
  }

  async #transition(step: Step): Promise<void> {
    const record = this.#current()
    const state = nextState(record.state, step.event)
    const next: UpdateRecord = {
      ...record,
      ...step.patch,
      state,
      loopCount: 1,
      reported: false,
      errorCode: step.patch?.errorCode ?? (step.event === 'start' ? null : record.errorCode),
      updatedAt: this.#now(),
    }
    await this.#o.store.save(next)
    this.#record = next
    await this.#publish(next)
  }

  /** Reports `record.state`; a terminal state is then marked reported so later boots stay quiet. */
  async #publish(record: UpdateRecord): Promise<void> {
    const { state } = record
    const published = DEPLOYMENT_STATE_OF[state]
    if (published === undefined) return
    const report: UpdateReport = { deploymentId: record.deploymentId, state: published, phase: state }
    if (state === 'downloading') report.progress = 0
    if (state === 'verifying' || state === 'awaitingGate') report.progress = 1
    if (record.errorCode !== null && (published === 'failure' || published === 'rolledBack')) {
      report.errorCode = record.errorCode
    }
    await this.#o.report(report)
    if (TERMINAL_STATES.has(state)) {
      this.#record = { ...record, reported: true }
      await this.#o.store.save(this.#record)
    }
  }

  #progress(fraction: number): void {
    const record = this.#current()
    const progress = Math.min(1, Math.max(0, fraction))
    void this.#o.report({ deploymentId: record.deploymentId, state: 'downloading', phase: 'downloading', progress })
  }

  #collectGarbage(): void {
    try {
      this.#o.installer.gc()
    } catch (err) {
      // The release is committed; leftovers only cost disk and are collected after the next update.
      this.#o.logger?.warn({ err }, 'release garbage collection failed')
    }
  }

  #current(): UpdateRecord {
    if (this.#record === undefined) throw new AppError(UpdateErrorCodes.illegalEvent, 'no deployment in progress')
    return this.#record
  }
}

function requireStaged(record: UpdateRecord): string {
  if (record.stagedPath === null) throw new AppError(UpdateErrorCodes.downloadFailed, 'no staged artifact')
  return record.stagedPath
}

function errorCodeOf(err: unknown, fallback: string): string {
  if (isAppError(err) && /^ERR_[A-Z0-9_]+$/.test(err.code)) return err.code
  return fallback
}

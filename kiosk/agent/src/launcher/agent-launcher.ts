import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { readManifest } from '../updates/app-release.ts'
import { appReleaseOnTrial, type BootGuardPaths, rollBackReleaseThatCannotStart } from '../updates/boot-guard.ts'

/** Exit status with which the agent asks to be started again (an update switched `current`). */
export const EXIT_RESTART = 75

export interface AgentExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface AgentLauncherOptions {
  paths: BootGuardPaths
  /** The image's own agent entry, run while no release with a `main` is current. */
  baseEntry: string
  /** Passed to every agent started (`--config …`). */
  agentArgs: string[]
  /** Crashes of a release on trial before the launcher rolls it back (Mender's bootcount, in effect). */
  maxTrialCrashes?: number
  /** Backoff between restarts after a crash of a release not on trial: doubles from min up to max. */
  restartDelayMs?: { min: number; max: number }
  /** A run at least this long resets the backoff. */
  stableAfterMs?: number
  /**
   * Node options for every agent started: `['--import', <tsx>]` when the launcher runs from the
   * TypeScript sources (so a release's TypeScript entry runs too), none for the built bundles.
   */
  nodeArgs?: string[]
  spawnAgent?: (entry: string, args: string[]) => ChildProcess
  logger: Logger
}

function spawnNode(nodeArgs: string[], entry: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, entry, ...args], { stdio: 'inherit' })
}

/**
 * What systemd starts on a kiosk: it runs the agent of the release `current` points at (its
 * `release.json` `main`, else the image's own agent) and starts it again whenever it exits, at once
 * after a restart request (75), with backoff after a crash. An app release that keeps crashing while
 * it is on trial (switched to, health not yet proven) is rolled back here, since a release that
 * cannot load never reaches the health check that would roll it back itself; the previous release
 * then starts and reports `rolledBack` with ERR_KIOSK_UPDATE_CRASH_LOOP. The launcher is part of the
 * image, never of a release, so a broken release cannot break it.
 */
export class AgentLauncher {
  readonly #o: AgentLauncherOptions
  readonly #log: Logger
  #child: ChildProcess | undefined
  #stopping = false
  #wake: (() => void) | undefined

  constructor(options: AgentLauncherOptions) {
    this.#o = options
    this.#log = options.logger
  }

  /** The entry to run now and the release it belongs to (undefined: the image's own agent). */
  entry(): { entry: string; release: string | undefined } {
    const current = join(this.#o.paths.releasesDir, 'current')
    const manifest = readManifest(current)
    if (manifest?.main === undefined) return { entry: this.#o.baseEntry, release: manifest?.version }
    return { entry: join(current, manifest.main), release: manifest.version }
  }

  /** Runs agents until `stop()`; resolves with the launcher's exit status. */
  async run(): Promise<number> {
    const { min, max } = this.#o.restartDelayMs ?? { min: 1000, max: 30_000 }
    const maxTrialCrashes = this.#o.maxTrialCrashes ?? 3
    let delay = min
    let trialCrashes = 0
    while (!this.#stopping) {
      const { entry, release } = this.entry()
      this.#log.info({ entry, release: release ?? 'image' }, 'starting the agent')
      const started = Date.now()
      const exit = await this.#runOnce(entry)
      if (this.#stopping) break
      if (exit.code === EXIT_RESTART) {
        this.#log.info({ release: release ?? 'image' }, 'the agent asked for a restart')
        delay = min
        continue
      }
      const onTrial = appReleaseOnTrial(this.#o.paths)
      this.#log.warn({ ...exit, release: release ?? 'image', onTrial }, 'the agent exited')
      if (onTrial) {
        trialCrashes += 1
        if (trialCrashes >= maxTrialCrashes) {
          trialCrashes = 0
          const outcome = await rollBackReleaseThatCannotStart(this.#o.paths).catch((err: unknown) => {
            this.#log.error({ err }, 'boot guard failed')
            return undefined
          })
          this.#log.warn({ outcome, crashes: maxTrialCrashes }, 'release on trial keeps crashing: rolled back')
        }
        // A release on trial is retried at once: the sooner it is judged, the sooner service is back.
        continue
      }
      trialCrashes = 0
      delay = Date.now() - started >= (this.#o.stableAfterMs ?? 60_000) ? min : delay
      await this.#sleep(delay)
      delay = Math.min(max, delay * 2)
    }
    return 0
  }

  /** Stops the running agent (SIGTERM, its own clean shutdown) and ends `run()`. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.#stopping = true
    this.#wake?.()
    const child = this.#child
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal)
  }

  #runOnce(entry: string): Promise<AgentExit> {
    return new Promise((resolve) => {
      const spawnAgent = this.#o.spawnAgent ?? ((e, a) => spawnNode(this.#o.nodeArgs ?? [], e, a))
      const child = spawnAgent(entry, this.#o.agentArgs)
      this.#child = child
      child.once('error', (err) => {
        this.#log.error({ err, entry }, 'the agent could not be started')
        resolve({ code: null, signal: null })
      })
      child.once('exit', (code, signal) => resolve({ code, signal }))
    })
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.#wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

/**
 * A kiosk agent as its own process (`kiosk/agent/src/main.ts`) under a small supervisor that starts
 * it again whenever it exits — exit status 75 is the agent asking for a restart, as systemd's
 * `Restart=always` would do — so a test can pull the plug (SIGKILL) and watch it come back.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { hasExited } from './stop-child.ts'

const ROOT = join(import.meta.dirname, '../..')
const MAIN = join(ROOT, 'kiosk/agent/src/main.ts')

export class KioskProcessSupervisor {
  child: ChildProcess | undefined
  starts = 0
  readonly exits: (number | string | null)[] = []
  #stopped = false
  #exited: Promise<void> = Promise.resolve()

  constructor(private readonly configFile: string) {}

  start(): void {
    this.starts += 1
    // The config file says everything; the test runner's own KIOSK_* variables must not leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIOSK_')))
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', this.configFile], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    })
    this.child = child
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exits.push(code ?? signal)
        if (!this.#stopped) this.start()
        resolve()
      })
    })
  }

  /** The power goes out: SIGKILL, no shutdown code runs; the supervisor starts it again. */
  kill(): void {
    this.child?.kill('SIGKILL')
  }

  async stop(): Promise<void> {
    this.#stopped = true
    const child = this.child
    if (child && !hasExited(child)) {
      child.kill('SIGTERM')
      await this.#exited
    }
  }
}

const LAUNCHER = join(ROOT, 'kiosk/agent/src/launcher-main.ts')

/**
 * The kiosk launcher as systemd runs it (`kiosk/agent/src/launcher-main.ts`), in its own process
 * group; its JSON log lines (and its agents', which share stdout) are kept for the test to read.
 */
export class LauncherProcess {
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<number | string | null>
  readonly #child: ChildProcess

  /** `launcher`: another launcher to run, e.g. the built one (`dist/bin/kiosk-launcher.mjs`, no tsx). */
  constructor(
    configFile: string,
    launcher: { entry: string; nodeArgs: string[] } = { entry: LAUNCHER, nodeArgs: ['--import', 'tsx'] },
  ) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIOSK_')))
    this.#child = spawn(process.execPath, [...launcher.nodeArgs, launcher.entry, '--config', configFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      detached: true,
    })
    // A broken release's stack traces are expected here; kept for a failing test to show, not printed.
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8')
    })
    let rest = ''
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8')
      const parts = text.split('\n')
      rest = parts.pop() ?? ''
      this.lines.push(...parts.filter((l) => l !== ''))
    })
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve(code ?? signal)))
  }

  /** The launcher's own log records (module `launcher`). */
  launcherLogs(): Array<{ msg: string; [key: string]: unknown }> {
    return this.lines.flatMap((line) => {
      try {
        const record = JSON.parse(line) as { module?: string; msg: string }
        return record.module === 'launcher' ? [record] : []
      } catch {
        return []
      }
    })
  }

  /** SIGTERM to the launcher alone, as `systemctl stop` sends it. */
  stop(): Promise<number | string | null> {
    this.#child.kill('SIGTERM')
    return this.exited
  }

  /** Everything in its process group, at once (the end of a test that failed). */
  killGroup(): void {
    try {
      if (this.#child.pid !== undefined) process.kill(-this.#child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}

/**
 * A kiosk agent as its own process (`kiosk/agent/src/main.ts`) under a small supervisor that starts
 * it again whenever it exits — exit status 75 is the agent asking for a restart, as systemd's
 * `Restart=always` would do — so a test can pull the plug (SIGKILL) and watch it come back.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

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
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await this.#exited
    }
  }
}

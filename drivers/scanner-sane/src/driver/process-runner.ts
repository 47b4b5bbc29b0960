import { spawn } from 'node:child_process'

export interface ProcessOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env: NodeJS.ProcessEnv
  /** Aborting sends SIGINT (scanimage cancels the scan through sane_cancel), then SIGKILL after 5 s. */
  signal?: AbortSignal
  onStderrLine?: (line: string) => void
}

/** Runs a command to completion; injectable so the scanner service can run any SANE frontend. */
export type ProcessRunner = (command: string, args: readonly string[], options: RunOptions) => Promise<ProcessOutcome>

/** Thrown by the runner when the command is not installed (ENOENT). */
export class CommandNotFoundError extends Error {
  readonly command: string

  constructor(command: string, options?: { cause?: unknown }) {
    super(`${command} not found`, options)
    this.name = 'CommandNotFoundError'
    this.command = command
  }
}

export const spawnProcess: ProcessRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let partial = ''
    let killTimer: ReturnType<typeof setTimeout> | undefined
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8')
    })
    child.stderr.on('data', (c: Buffer) => {
      const text = c.toString('utf8')
      stderr += text
      partial += text
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) options.onStderrLine?.(line)
    })
    const onAbort = () => {
      child.kill('SIGINT')
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5000)
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    child.once('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort)
      reject(err.code === 'ENOENT' ? new CommandNotFoundError(command, { cause: err }) : err)
    })
    child.once('close', (exitCode, signal) => {
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      if (partial) options.onStderrLine?.(partial)
      resolve({ exitCode, signal, stdout, stderr })
    })
  })

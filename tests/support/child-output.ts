import type { ChildProcess } from 'node:child_process'

export interface ChildRun {
  code: number | null
  stdout: string
  stderr: string
}

/** What a spawned child (stdout and stderr piped) printed so far, and its whole run once it exits. */
export function collectOutput(child: ChildProcess): { stdout(): string; stderr(): string; exited: Promise<ChildRun> } {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const exited = new Promise<ChildRun>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
  return { stdout: () => stdout, stderr: () => stderr, exited }
}

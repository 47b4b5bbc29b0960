import type { ChildProcess } from 'node:child_process'

/** Whether a child process has ended, by its own exit or by a signal. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

/**
 * Sends `signal` and waits for the exit; nothing to wait for when it already ended. A child killed
 * by a signal keeps `exitCode` null (Ctrl-C reaches the whole process group), so checking that alone
 * would wait forever for an exit that already happened.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (hasExited(child)) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

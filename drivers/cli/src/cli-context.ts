import type { Logger } from 'pino'

/** What commands get from main.ts (the composition root): output streams and a logger factory. */
export interface CliContext {
  out(text: string): void
  err(text: string): void
  /** Driver logs go to stderr, silent unless --log-level says otherwise. */
  logger(): Logger
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); emulators run until then. */
  untilStopped(): Promise<void>
}

import { ApiClient, EXIT, FleetctlError } from './api-client.ts'
import { credentialsPath, readLogin } from './credentials.ts'

export interface Io {
  out(text: string): void
  err(text: string): void
  readStdin(): Promise<string>
  env: NodeJS.ProcessEnv
  /** Standard error as a terminal (progress bars redraw in place), or undefined when it is not one. */
  errTerminal?: { write(text: string): void; columns: number } | undefined
  /** Standard output as a terminal (`--watch` redraws the screen), or undefined when it is not one. */
  outTerminal?: { write(text: string): void; rows: number } | undefined
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt?(handler: () => void): () => void
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  get errTerminal() {
    return process.stderr.isTTY
      ? { write: (text: string) => process.stderr.write(text), columns: process.stderr.columns || 80 }
      : undefined
  },
  get outTerminal() {
    return process.stdout.isTTY
      ? { write: (text: string) => process.stdout.write(text), rows: process.stdout.rows || 24 }
      : undefined
  },
  onInterrupt(handler) {
    process.on('SIGINT', handler)
    return () => process.off('SIGINT', handler)
  },
  readStdin: async () => {
    let data = ''
    for await (const chunk of process.stdin) data += String(chunk)
    return data
  },
  env: process.env,
}

/** An API client for the stored login (or $FLEETCTL_SERVER + $FLEETCTL_TOKEN). */
export function loggedInClient(io: Io): ApiClient {
  const stored = readLogin(credentialsPath(io.env))
  const server = io.env.FLEETCTL_SERVER ?? stored?.server
  const token = io.env.FLEETCTL_TOKEN ?? stored?.token
  if (server === undefined || token === undefined) {
    throw new FleetctlError('not logged in — run: fleetctl login --server URL --user NAME', EXIT.auth)
  }
  return new ApiClient({ server, token })
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2))
}

import { createInterface } from 'node:readline/promises'
import { ApiClient, EXIT, FleetctlError } from './api-client.ts'
import { fetchTrustingCaFile } from './ca-fetch.ts'
import { credentialsPath, readLogin, type StoredLogin } from './credentials.ts'

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
  /** Asks a question on the terminal and resolves with the line typed; undefined when stdin is not a terminal. */
  ask?(question: string): Promise<string> | undefined
  /** The global `--cacert <pem>` of this run (main.ts), before FLEETCTL_CACERT and the stored login's. */
  cacert?: string | undefined
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
  ask(question) {
    if (!process.stdin.isTTY) return undefined
    return (async () => {
      const prompt = createInterface({ input: process.stdin, output: process.stderr })
      try {
        return await prompt.question(question)
      } finally {
        prompt.close()
      }
    })()
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
  const doFetch = trustedFetch(io, stored?.server === server.replace(/\/+$/, '') ? stored : undefined)
  return new ApiClient({ server, token, ...(doFetch === undefined ? {} : { fetch: doFetch }) })
}

/**
 * The CA fleetctl trusts for the fleet-server, first found of: `--cacert`, $FLEETCTL_CACERT, the one
 * `login` stored with `stored` (only for the server it logged in to). Undefined: the system's CAs.
 */
export function caCertOf(io: Io, stored?: StoredLogin): { path: string; source: string } | undefined {
  if (io.cacert !== undefined) return { path: io.cacert, source: '--cacert' }
  if (io.env.FLEETCTL_CACERT) return { path: io.env.FLEETCTL_CACERT, source: 'FLEETCTL_CACERT' }
  if (stored?.cacert !== undefined) return { path: stored.cacert, source: 'the CA file login remembered' }
  return undefined
}

/** A fetch trusting `caCertOf(io, stored)`, or undefined for node's fetch (the system's CAs). */
export function trustedFetch(io: Io, stored?: StoredLogin): typeof fetch | undefined {
  const ca = caCertOf(io, stored)
  return ca === undefined ? undefined : fetchTrustingCaFile(ca.path, ca.source)
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2))
}

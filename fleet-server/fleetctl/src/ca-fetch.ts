import { readFileSync } from 'node:fs'
import { Agent, fetch as undiciFetch } from 'undici'
import { EXIT, FleetctlError } from './api-client.ts'

/**
 * A `fetch` whose HTTPS connections verify the fleet-server against the CA certificate(s) in the PEM
 * file `path` instead of the system's CAs (`--cacert`, `FLEETCTL_CACERT`, or the one `login`
 * remembered: `source` says which, for the error). Node's own fetch takes no CA option, so this is
 * undici's fetch with a dispatcher of its own version. Unreadable or not PEM: exit code 2.
 */
export function fetchTrustingCaFile(path: string, source: string): typeof fetch {
  let pem: Buffer
  try {
    pem = readFileSync(path)
  } catch (err) {
    throw new FleetctlError(`cannot read ${source} ${path}: ${(err as Error).message}`, EXIT.usage)
  }
  if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new FleetctlError(`${source} ${path} holds no PEM certificate`, EXIT.usage)
  }
  const dispatcher = new Agent({ connect: { ca: pem } })
  // undici's fetch types are lib.dom's fetch published separately; the objects are the same kind.
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch
}

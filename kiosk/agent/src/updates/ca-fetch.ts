import { Agent, fetch as undiciFetch } from 'undici'

/**
 * A `fetch` whose HTTPS connections verify the server against `ca` (PEM) instead of the system's
 * CAs. Node's own fetch takes no CA option, so this is undici's fetch (the same client Node's fetch
 * is built on) with a dispatcher of its own version: an undici Agent handed to Node's bundled fetch
 * would mix two undici versions. Idle connections are kept open for `keepAliveMs`, then closed.
 */
export function fetchTrustingCa(ca: string | Buffer, options: { keepAliveMs?: number } = {}): typeof fetch {
  const dispatcher = new Agent({
    connect: { ca },
    ...(options.keepAliveMs === undefined ? {} : { keepAliveTimeout: options.keepAliveMs }),
  })
  // undici's fetch types are lib.dom's fetch published separately; the objects are the same kind.
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch
}

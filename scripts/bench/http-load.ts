/**
 * Closed-loop HTTP load over real sockets: logged-in clients (a real `POST /api/login`, the session
 * cookie kept) each send one request after another with Node's fetch (undici, keep-alive), and the
 * latencies are summarised as p50/p99.
 */

export interface HttpClient {
  user: string
  cookie: string
}

/** Logs in as a dashboard user would and keeps the session cookie. */
export async function login(baseUrl: string, username: string, password: string): Promise<HttpClient> {
  const response = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!response.ok) throw new Error(`login ${username}: HTTP ${response.status} ${await response.text()}`)
  await response.arrayBuffer()
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  if (cookie === '') throw new Error(`login ${username}: no session cookie`)
  return { user: username, cookie }
}

export interface Latency {
  requests: number
  p50: number
  p99: number
  /** Response body size of the last answer, bytes. */
  bytes: number
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0

/** One GET, read to the end; throws on anything but 200. */
async function get(baseUrl: string, path: string, client: HttpClient): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: client.cookie } })
  const body = await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${Buffer.from(body).toString()}`)
  return body.byteLength
}

/**
 * Every client requests `paths` (round robin, each client starting at its own offset) back to back
 * for `seconds` (at least `minRequests` each, at most `maxRequests` in all), after one warm-up request each.
 */
export async function measure(
  baseUrl: string,
  clients: HttpClient[],
  paths: string[],
  options: { seconds: number; minRequests?: number; maxRequests?: number },
): Promise<Latency> {
  await Promise.all(clients.map((c, i) => get(baseUrl, paths[i % paths.length] as string, c)))
  const times: number[] = []
  let bytes = 0
  const deadline = performance.now() + options.seconds * 1000
  const max = options.maxRequests ?? 100_000
  await Promise.all(
    clients.map(async (client, ci) => {
      for (let n = 0; ; n++) {
        if (times.length >= max) break
        if (performance.now() > deadline && n >= (options.minRequests ?? 5)) break
        const path = paths[(ci + n) % paths.length] as string
        const t0 = performance.now()
        bytes = await get(baseUrl, path, client)
        times.push(performance.now() - t0)
      }
    }),
  )
  times.sort((a, b) => a - b)
  return { requests: times.length, p50: quantile(times, 0.5), p99: quantile(times, 0.99), bytes }
}

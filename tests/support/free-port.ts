import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** The kernel's range for outgoing connections' local ports (Linux default 32768–60999). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return [low, high]
  } catch {
    // Not Linux: keep the default below.
  }
  return [32768, 60999]
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/**
 * A TCP port that was free a moment ago, for servers that cannot listen on port 0 themselves (a
 * broker restarted on the same port, Mosquitto's config file). It is chosen below the ephemeral
 * range: a port the kernel hands out there can be taken by any outgoing connection between this
 * check and the server's own listen, which made suites fail with EADDRINUSE on a busy machine.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange()
  const low = 20_000
  const high = Math.max(low + 1000, ephemeralLow - 1)
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low))
    if (await canListen(port)) return port
  }
  throw new Error(`no free TCP port found between ${low} and ${high}`)
}

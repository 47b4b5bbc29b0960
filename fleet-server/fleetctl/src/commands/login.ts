import { hostname } from 'node:os'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { ApiClient, EXIT, FleetctlError } from '../api-client.ts'
import { caCertOf, type Io, trustedFetch } from '../context.ts'
import { credentialsPath, forgetLogin, readLogin, writeLogin } from '../credentials.ts'

/**
 * `login`: trades a password for an API token (stored 0600), so the password is never kept. The CA
 * given with `--cacert` (or FLEETCTL_CACERT) is stored with it, so later commands, and later logins
 * to the same server, trust it too.
 */
export function registerLogin(program: Command, io: Io): void {
  program
    .command('login')
    .description('log in and store an API token for the following commands')
    .requiredOption('--server <url>', 'fleet-server URL, e.g. https://fleet.example:8080')
    .requiredOption('--user <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--ttl-days <days>', 'token lifetime in days', '30')
    .action(async (options: { server: string; user: string; passwordStdin?: boolean; ttlDays: string }) => {
      const password = options.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : io.env.FLEETCTL_PASSWORD
      if (!password) {
        throw new FleetctlError('give the password with --password-stdin or FLEETCTL_PASSWORD', EXIT.usage)
      }
      // A CA remembered by an earlier login to this same server carries over (logging in again once the token expires).
      const previous = readLogin(credentialsPath(io.env))
      const sameServer = previous?.server === options.server.replace(/\/+$/, '') ? previous : undefined
      const ca = caCertOf(io, sameServer)
      const doFetch = trustedFetch(io, sameServer)
      const connection = { server: options.server, ...(doFetch === undefined ? {} : { fetch: doFetch }) }
      const anonymous = new ApiClient(connection)
      const login = await fetchSession(anonymous, options.user, password)
      const session = new ApiClient(connection)
      const { token } = await session.request<{ token: string }>(
        'POST',
        '/api/tokens',
        { name: `fleetctl@${hostname()}`, ttlDays: Number(options.ttlDays) },
        { cookie: login },
      )
      await session.request('POST', '/api/logout', undefined, { cookie: login })
      writeLogin(credentialsPath(io.env), {
        server: anonymous.server,
        token,
        user: options.user,
        ...(ca === undefined ? {} : { cacert: resolve(ca.path) }),
      })
      io.out(`logged in to ${anonymous.server} as ${options.user}${ca === undefined ? '' : ` (trusting ${ca.path})`}`)
    })

  program
    .command('logout')
    .description('forget the stored token')
    .action(() => {
      forgetLogin(credentialsPath(io.env))
      io.out('logged out')
    })
}

async function fetchSession(client: ApiClient, username: string, password: string): Promise<string> {
  const response = await client.raw('POST', '/api/login', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (response.status === 401) throw new FleetctlError('wrong user name or password', EXIT.auth)
  if (response.status < 200 || response.status >= 300) {
    throw new FleetctlError(`login failed: HTTP ${response.status}`, EXIT.failed)
  }
  const cookie = response.headers.get('set-cookie')?.split(';')[0]
  if (cookie === undefined) throw new FleetctlError('login answered without a session', EXIT.failed)
  return cookie
}

import { hostname } from 'node:os'
import type { Command } from 'commander'
import { ApiClient, EXIT, FleetctlError } from '../api-client.ts'
import type { Io } from '../context.ts'
import { credentialsPath, forgetLogin, writeLogin } from '../credentials.ts'

/** `login`: trades a password for an API token (stored 0600), so the password is never kept. */
export function registerLogin(program: Command, io: Io): void {
  program
    .command('login')
    .description('log in and store an API token for the following commands')
    .requiredOption('--server <url>', 'fleet-server URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--user <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--ttl-days <days>', 'token lifetime in days', '30')
    .action(async (options: { server: string; user: string; passwordStdin?: boolean; ttlDays: string }) => {
      const password = options.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : io.env.FLEETCTL_PASSWORD
      if (!password) {
        throw new FleetctlError('give the password with --password-stdin or FLEETCTL_PASSWORD', EXIT.usage)
      }
      const anonymous = new ApiClient({ server: options.server })
      const login = await fetchSession(anonymous, options.user, password)
      const session = new ApiClient({ server: options.server })
      const { token } = await session.request<{ token: string }>(
        'POST',
        '/api/tokens',
        { name: `fleetctl@${hostname()}`, ttlDays: Number(options.ttlDays) },
        { cookie: login },
      )
      await session.request('POST', '/api/logout', undefined, { cookie: login })
      writeLogin(credentialsPath(io.env), { server: anonymous.server, token, user: options.user })
      io.out(`logged in to ${anonymous.server} as ${options.user}`)
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
  let response: Response
  try {
    response = await fetch(`${client.server}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  } catch (err) {
    throw new FleetctlError(`cannot reach ${client.server}: ${(err as Error).message}`, EXIT.unreachable)
  }
  if (response.status === 401) throw new FleetctlError('wrong user name or password', EXIT.auth)
  if (!response.ok) throw new FleetctlError(`login failed: HTTP ${response.status}`, EXIT.failed)
  const cookie = response.headers.get('set-cookie')?.split(';')[0]
  if (cookie === undefined) throw new FleetctlError('login answered without a session', EXIT.failed)
  return cookie
}

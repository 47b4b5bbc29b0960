import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { list } from '../options.ts'
import { table } from '../table.ts'

interface User {
  userId: string
  displayName: string
  role: string
}

/** A new password from standard input or FLEETCTL_NEW_PASSWORD: never a command-line argument (ps, shell history). */
async function newPassword(io: Io, fromStdin: boolean | undefined): Promise<string> {
  const password = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : io.env.FLEETCTL_NEW_PASSWORD
  if (!password)
    throw new FleetctlError('give the new password with --password-stdin or FLEETCTL_NEW_PASSWORD', EXIT.usage)
  return password
}

const ROLES = ['admin', 'department', 'site', 'vendor', 'auditor'] as const

/** `users`: list, add, disable, enable, set a password, lift a lockout (admin); `users passwd` alone changes your own. */
export function registerUsers(program: Command, io: Io): void {
  const users = program
    .command('users')
    .description('user accounts (admin; `passwd` without a user: your own password)')

  users
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const { users: list } = await loggedInClient(io).get<{ users: User[] }>('/api/users')
      if (o.json) return printJson(io, list)
      io.out(
        table(
          ['USER', 'NAME', 'ROLE'],
          list.map((u) => [u.userId, u.displayName, u.role]),
        ),
      )
    })

  users
    .command('add <user>')
    .description('create a user with a role and its scope (admin); the password from standard input')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--name <name>', 'display name')
    .option('--departments <ids>', 'department scope (role department), comma separated', list)
    .option('--sites <ids>', 'site scope (role site), comma separated', list)
    .option('--vendors <ids>', 'vendor ids (role vendor), comma separated, e.g. epson', list)
    .option('--password-stdin', 'read the password (12+ characters) from standard input')
    .option('--json', 'machine-readable output')
    .action(
      async (
        user: string,
        o: {
          role: string
          name: string
          departments?: string[]
          sites?: string[]
          vendors?: string[]
          passwordStdin?: boolean
          json?: boolean
        },
      ) => {
        if (!(ROLES as readonly string[]).includes(o.role)) {
          throw new FleetctlError(`--role must be one of ${ROLES.join(', ')}`, EXIT.usage)
        }
        const password = await newPassword(io, o.passwordStdin)
        const answer = await loggedInClient(io).post<{ user: User }>('/api/users', {
          id: user,
          displayName: o.name,
          password,
          role: o.role,
          ...(o.departments ? { departments: o.departments } : {}),
          ...(o.sites ? { sites: o.sites } : {}),
          ...(o.vendors ? { vendors: o.vendors } : {}),
        })
        if (o.json) return printJson(io, answer.user)
        const scope = [...(o.departments ?? []), ...(o.sites ?? []), ...(o.vendors ?? [])]
        io.out(`${user} created (${o.role}${scope.length > 0 ? `: ${scope.join(', ')}` : ''})`)
      },
    )

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(`${name} <user>`)
      .description(
        disabled ? 'disable a user: their sessions end and their API tokens stop working' : 'enable a user again',
      )
      .action(async (user: string) => {
        await loggedInClient(io).request('PATCH', `/api/users/${encodeURIComponent(user)}`, { disabled })
        io.out(`${user} ${disabled ? 'disabled' : 'enabled'}`)
      })
  }

  users
    .command('passwd [user]')
    .description("set a user's password (admin), or change your own (asks FLEETCTL_PASSWORD for your current one)")
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (user: string | undefined, o: { passwordStdin?: boolean }) => {
      const password = await newPassword(io, o.passwordStdin)
      const client = loggedInClient(io)
      if (user !== undefined) {
        await client.post(`/api/users/${encodeURIComponent(user)}/password`, { password })
        io.out(`password of ${user} set; their sessions ended`)
        return
      }
      const currentPassword = io.env.FLEETCTL_PASSWORD
      if (!currentPassword) throw new FleetctlError('give your current password in FLEETCTL_PASSWORD', EXIT.usage)
      await client.post('/api/me/password', { currentPassword, newPassword: password })
      io.out('your password is changed; your browser sessions ended')
    })

  users
    .command('unlock <user>')
    .description('lift a login lockout on a user name')
    .action(async (user: string) => {
      const answer = await loggedInClient(io).post<{ wasLocked: boolean }>(
        `/api/users/${encodeURIComponent(user)}/unlock`,
        {},
      )
      io.out(answer.wasLocked ? `${user} unlocked` : `${user} was not locked`)
    })
}

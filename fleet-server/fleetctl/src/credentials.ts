import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

export interface StoredLogin {
  server: string
  token: string
  user: string
  /** The CA file (absolute path) `login --cacert` trusted for `server`; later commands trust it too. */
  cacert?: string
}

/** Where the API token lives: $FLEETCTL_CONFIG, or ~/.config/fleetctl/config.json (mode 0600). */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLEETCTL_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'fleetctl', 'config.json')
}

export function readLogin(path: string): StoredLogin | undefined {
  if (!existsSync(path)) return undefined
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredLogin>
  return typeof value.server === 'string' && typeof value.token === 'string' && typeof value.user === 'string'
    ? {
        server: value.server,
        token: value.token,
        user: value.user,
        ...(typeof value.cacert === 'string' ? { cacert: value.cacert } : {}),
      }
    : undefined
}

export function writeLogin(path: string, login: StoredLogin): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 })
  chmodSync(path, 0o600)
}

export function forgetLogin(path: string): void {
  rmSync(path, { force: true })
}

import { randomBytes } from 'node:crypto'
import type { Queryable } from '../db/database.ts'
import type { Principal, Role } from './roles.ts'
import { hashPassword, newSecret, tokenHash, verifyPassword } from './secrets.ts'

interface UserRow {
  id: string
  display_name: string
  password_hash: string
  role: Role
  departments: string[]
  sites: string[]
  vendors: string[]
  disabled: boolean
}

export interface NewUser {
  id: string
  displayName: string
  password: string
  role: Role
  departments?: string[]
  sites?: string[]
  vendors?: string[]
}

const toPrincipal = (u: UserRow): Principal => ({
  userId: u.id,
  displayName: u.display_name,
  role: u.role,
  departments: u.departments,
  sites: u.sites,
  vendors: u.vendors,
})

const USER_COLUMNS = 'u.id, u.display_name, u.password_hash, u.role, u.departments, u.sites, u.vendors, u.disabled'

/** Users, browser sessions and API tokens. Only hashes of secrets are stored. */
export class IdentityRepo {
  constructor(private readonly db: Queryable) {}

  async createUser(user: NewUser): Promise<Principal> {
    const rows = await this.db.query<UserRow>(
      `INSERT INTO users AS u (id, display_name, password_hash, role, departments, sites, vendors)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${USER_COLUMNS}`,
      [
        user.id,
        user.displayName,
        await hashPassword(user.password),
        user.role,
        user.departments ?? [],
        user.sites ?? [],
        user.vendors ?? [],
      ],
    )
    return toPrincipal(rows[0] as UserRow)
  }

  async userCount(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
    return row?.n ?? 0
  }

  async listUsers(): Promise<Principal[]> {
    return (await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.id`)).map(toPrincipal)
  }

  /** The principal for a user name and password, or undefined (unknown, disabled or wrong password). */
  async checkPassword(userId: string, password: string): Promise<Principal | undefined> {
    const [user] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId])
    // Verify against a hash even for unknown users, so timing does not reveal which names exist.
    const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password)
    return ok && user !== undefined && !user.disabled ? toPrincipal(user) : undefined
  }

  /** Disables or re-enables a user; a disabled user's sessions end (tokens stop working while disabled). */
  async setDisabled(userId: string, disabled: boolean): Promise<Principal | undefined> {
    const [user] = await this.db.query<UserRow>(
      `WITH u AS (UPDATE users SET disabled = $2 WHERE id = $1 RETURNING *),
            ended AS (DELETE FROM sessions WHERE $2 AND user_id IN (SELECT id FROM u))
       SELECT ${USER_COLUMNS} FROM u`,
      [userId, disabled],
    )
    return user === undefined ? undefined : toPrincipal(user)
  }

  /** Enabled admins other than `except`: the last one cannot be disabled (nobody could undo it). */
  async otherEnabledAdmins(except: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
      [except],
    )
    return row?.n ?? 0
  }

  /**
   * Sets a new password and ends the user's sessions except `keepSession` (the caller's own, when a
   * user changes their own password). API tokens stay: revoke them separately if they leaked.
   */
  async setPassword(userId: string, password: string, keepSession?: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `WITH u AS (UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1 RETURNING id),
            ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u) AND token_hash <> $3)
       SELECT id FROM u`,
      [userId, await hashPassword(password), keepSession === undefined ? '' : tokenHash(keepSession)],
    )
    return rows.length > 0
  }

  async createSession(userId: string, ttlMs: number, ip: string): Promise<string> {
    const secret = newSecret('fleet_ses')
    await this.db.query('INSERT INTO sessions (token_hash, user_id, expires_at, ip) VALUES ($1, $2, $3, $4)', [
      tokenHash(secret),
      userId,
      new Date(Date.now() + ttlMs).toISOString(),
      ip,
    ])
    return secret
  }

  async endSession(secret: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(secret)])
  }

  async createApiToken(
    userId: string,
    name: string,
    ttlMs: number | undefined,
  ): Promise<{ id: string; token: string }> {
    const token = newSecret('fleet_tok')
    const id = randomBytes(6).toString('hex')
    await this.db.query(
      'INSERT INTO api_tokens (id, token_hash, user_id, name, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [id, tokenHash(token), userId, name, ttlMs === undefined ? null : new Date(Date.now() + ttlMs).toISOString()],
    )
    return { id, token }
  }

  /** Resolves a session cookie or API token to its principal, if valid and unexpired. */
  async principalFor(secret: string): Promise<Principal | undefined> {
    const hash = tokenHash(secret)
    const table = secret.startsWith('fleet_tok_') ? 'api_tokens' : 'sessions'
    const [user] = await this.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM ${table} t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > now()) AND NOT u.disabled`,
      [hash],
    )
    if (user === undefined) return undefined
    if (table === 'api_tokens') {
      await this.db.query('UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1', [hash])
    }
    return toPrincipal(user)
  }
}

// argon2id hash of a random string nobody knows; used to equalise timing for unknown users.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$PzuCgKeUbsZTNd3vkurTqQ$cI3R221iILay9Ur7fMtg10YrQuW10kij8vhL6IqtiFg'

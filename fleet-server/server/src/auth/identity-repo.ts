import { randomBytes } from 'node:crypto'
import type { Database, Queryable } from '../db/database.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { Principal, Role } from './roles.ts'
import { hashPassword, newOneTimePassword, newSecret, tokenHash, verifyPassword } from './secrets.ts'

interface UserRow {
  id: string
  display_name: string
  password_hash: string
  role: Role
  departments: string[]
  sites: string[]
  vendors: string[]
  disabled: boolean
  must_change_password: boolean
  created_at: Date | string
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

/** A user as the users screen shows it (never the password hash). */
export interface UserView extends Principal {
  disabled: boolean
  mustChangePassword: boolean
  createdAt: string
}

/** What an admin may change of a user (`PATCH /api/users/:id`); absent fields stay. */
export interface UserChange {
  displayName?: string | undefined
  role?: Role | undefined
  departments?: string[] | undefined
  sites?: string[] | undefined
  vendors?: string[] | undefined
  disabled?: boolean | undefined
}

const toPrincipal = (u: UserRow): Principal => ({
  userId: u.id,
  displayName: u.display_name,
  role: u.role,
  departments: u.departments,
  sites: u.sites,
  vendors: u.vendors,
  ...(u.must_change_password ? { mustChangePassword: true } : {}),
})

const toView = (u: UserRow): UserView => ({
  ...toPrincipal(u),
  disabled: u.disabled,
  mustChangePassword: u.must_change_password,
  createdAt: new Date(u.created_at).toISOString(),
})

/** Arbitrary constant: the advisory lock under which admins are counted and changed. */
const USERS_LOCK = 746_1003

const USER_COLUMNS =
  'u.id, u.display_name, u.password_hash, u.role, u.departments, u.sites, u.vendors, u.disabled, u.must_change_password, u.created_at'

/** Users, browser sessions and API tokens. Only hashes of secrets are stored. */
export class IdentityRepo {
  constructor(private readonly db: Database) {}

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

  async listUsers(): Promise<UserView[]> {
    return (await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.id`)).map(toView)
  }

  async getUser(userId: string): Promise<UserView | undefined> {
    const [user] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId])
    return user === undefined ? undefined : toView(user)
  }

  /** The ids among `userIds` that name no user. */
  async unknownUsers(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return []
    const rows = await this.db.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::text[])', [userIds])
    const known = new Set(rows.map((r) => r.id))
    return [...new Set(userIds)].filter((id) => !known.has(id))
  }

  /**
   * Changes role, scope, name and/or disabled. Disabling ends the user's sessions and their API tokens
   * stop working while disabled; a new role or scope holds from the next request (`principalFor` reads
   * the user on every request). Throws ERR_FLEET_LAST_ADMIN rather than disable or demote the last
   * enabled admin: checked and written under one lock, so two admins demoting each other at once
   * cannot both succeed.
   */
  async updateUser(userId: string, change: UserChange): Promise<UserView | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [USERS_LOCK])
      const [target] = await tx.query<{ role: Role; disabled: boolean }>(
        'SELECT role, disabled FROM users WHERE id = $1',
        [userId],
      )
      if (target === undefined) return undefined
      const losesAdmin =
        target.role === 'admin' &&
        !target.disabled &&
        (change.disabled === true || (change.role !== undefined && change.role !== 'admin'))
      if (losesAdmin && (await this.otherEnabledAdmins(userId, tx)) === 0) {
        throw new FleetError(FleetErrorCodes.lastAdmin, 'the last enabled admin cannot be disabled or demoted')
      }
      const [user] = await tx.query<UserRow>(
        `WITH u AS (
           UPDATE users SET display_name = coalesce($2, display_name), role = coalesce($3, role),
             departments = coalesce($4, departments), sites = coalesce($5, sites), vendors = coalesce($6, vendors),
             disabled = coalesce($7, disabled)
           WHERE id = $1 RETURNING *),
              ended AS (DELETE FROM sessions WHERE $8 AND user_id IN (SELECT id FROM u))
         SELECT ${USER_COLUMNS} FROM u`,
        [
          userId,
          change.displayName ?? null,
          change.role ?? null,
          change.departments ?? null,
          change.sites ?? null,
          change.vendors ?? null,
          change.disabled ?? null,
          change.disabled === true,
        ],
      )
      return user === undefined ? undefined : toView(user)
    })
  }

  /**
   * A one-time password: the user's sessions end, and until they choose their own password
   * (`POST /api/me/password`) they may do nothing else (guard.ts). Returns the password, or
   * undefined for an unknown user.
   */
  async resetPassword(userId: string): Promise<string | undefined> {
    const password = newOneTimePassword()
    const rows = await this.db.query<{ id: string }>(
      `WITH u AS (UPDATE users SET password_hash = $2, password_changed_at = now(), must_change_password = true
                  WHERE id = $1 RETURNING id),
            ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))
       SELECT id FROM u`,
      [userId, await hashPassword(password)],
    )
    return rows.length > 0 ? password : undefined
  }

  /** The principal for a user name and password, or undefined (unknown, disabled or wrong password). */
  async checkPassword(userId: string, password: string): Promise<Principal | undefined> {
    const [user] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId])
    // Verify against a hash even for unknown users, so timing does not reveal which names exist.
    const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password)
    return ok && user !== undefined && !user.disabled ? toPrincipal(user) : undefined
  }

  /** Enabled admins other than `except`: the last one cannot be disabled (nobody could undo it). */
  async otherEnabledAdmins(except: string, db: Queryable = this.db): Promise<number> {
    const [row] = await db.query<{ n: number }>(
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
      `WITH u AS (UPDATE users SET password_hash = $2, password_changed_at = now(), must_change_password = false
                  WHERE id = $1 RETURNING id),
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

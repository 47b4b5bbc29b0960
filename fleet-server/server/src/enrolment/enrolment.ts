import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { KioskCredentials } from '../broker/kiosk-credentials.ts'
import type { Database } from '../db/database.ts'

export interface EnrolmentTicket {
  id: string
  kioskId: string
  /** The one-time token, shown once to the admin who created it. */
  token: string
  expiresAt: string
}

export type RedeemResult =
  | { ok: true; enrolmentId: string; password: string }
  | { ok: false; reason: 'unknownToken' | 'used' | 'expired' }

interface TokenRow {
  id: string
  token_hash: string
  expires_at: Date | string
  used_at: Date | string | null
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest()

/**
 * Kiosk provisioning: an admin creates a one-time enrolment token for a kiosk id; the kiosk trades
 * it, once and before it expires, for its MQTT password. Only hashes of tokens and passwords are kept.
 */
export class Enrolment {
  constructor(private readonly db: Database) {}

  /** A new token for `kioskId`; tokens created for it before and not yet used stop working. */
  async createToken(options: { kioskId: string; createdBy: string; ttlMs: number }): Promise<EnrolmentTicket> {
    const token = `fleet_enr_${randomBytes(32).toString('base64url')}`
    const id = randomBytes(8).toString('hex')
    const expiresAt = new Date(Date.now() + options.ttlMs).toISOString()
    await this.db.transaction(async (tx) => {
      await tx.query(
        'UPDATE enrolment_tokens SET expires_at = now() WHERE kiosk_id = $1 AND used_at IS NULL AND expires_at > now()',
        [options.kioskId],
      )
      await tx.query(
        'INSERT INTO enrolment_tokens (id, kiosk_id, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [id, options.kioskId, sha256(token).toString('hex'), options.createdBy, expiresAt],
      )
    })
    return { id, kioskId: options.kioskId, token, expiresAt }
  }

  /**
   * Trades a token for new credentials, at most once (the row is claimed under a lock in the same
   * transaction that stores the password hash). Every token of the kiosk is compared in constant time.
   */
  redeem(kioskId: string, token: string): Promise<RedeemResult> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TokenRow>(
        'SELECT id, token_hash, expires_at, used_at FROM enrolment_tokens WHERE kiosk_id = $1 FOR UPDATE',
        [kioskId],
      )
      const presented = sha256(token)
      let found: TokenRow | undefined
      for (const row of rows) {
        const stored = Buffer.from(row.token_hash, 'hex')
        if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = row
      }
      if (found === undefined) return { ok: false, reason: 'unknownToken' }
      if (found.used_at !== null) return { ok: false, reason: 'used' }
      if (new Date(found.expires_at).getTime() <= Date.now()) return { ok: false, reason: 'expired' }
      await tx.query('UPDATE enrolment_tokens SET used_at = now() WHERE id = $1', [found.id])
      const password = await new KioskCredentials(tx).issue(kioskId, { enrolmentId: found.id })
      return { ok: true, enrolmentId: found.id, password }
    })
  }
}

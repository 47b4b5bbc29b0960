import { randomBytes } from 'node:crypto'
import type { Queryable } from '../db/database.ts'
import { mosquittoHash, verifyMosquittoHash } from './mosquitto-hash.ts'
import { natsBcryptHash } from './nats-hash.ts'

export interface StoredKioskCredential {
  kioskId: string
  /** `$7$…` PBKDF2-SHA512, Mosquitto's password-file format. */
  passwordHash: string
  /** `$2b$…` bcrypt of the same password, for NATS; undefined for credentials issued before migration 046. */
  bcryptHash?: string | undefined
}

/** A fresh kiosk MQTT password: 256 random bits, base64url (no `:` for Mosquitto's password file). */
export function newKioskPassword(): string {
  return randomBytes(32).toString('base64url')
}

// `$7$` hash of a random string nobody knows: unknown user names cost the same time as known ones.
const DUMMY_HASH =
  '$7$101$fBLTnVZ+L3SJYFnA$qyS85qejSX81zsP7a+VKs6RpQ3usk7ZZCffo924g92UhgxwIGmnFrlmloSf9dDHLPP8LzMg0/OS0Rxv3HA+JJg=='

/** Kiosk MQTT credentials (user name = kiosk id). Only hashes are stored. */
export class KioskCredentials {
  constructor(private readonly db: Queryable) {}

  /** Sets (or replaces) a kiosk's password; the clear password is returned once and never stored. */
  async issue(kioskId: string, options: { password?: string; enrolmentId?: string } = {}): Promise<string> {
    const password = options.password ?? newKioskPassword()
    await this.db.query(
      `INSERT INTO kiosk_credentials (kiosk_id, password_hash, bcrypt_hash, enrolment_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kiosk_id) DO UPDATE
         SET password_hash = EXCLUDED.password_hash, bcrypt_hash = EXCLUDED.bcrypt_hash,
             enrolment_id = EXCLUDED.enrolment_id, issued_at = now()`,
      [kioskId, await mosquittoHash(password), await natsBcryptHash(password), options.enrolmentId ?? null],
    )
    return password
  }

  async verify(kioskId: string, password: string): Promise<boolean> {
    const [row] = await this.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM kiosk_credentials WHERE kiosk_id = $1',
      [kioskId],
    )
    const ok = await verifyMosquittoHash(row?.password_hash ?? DUMMY_HASH, password)
    return ok && row !== undefined
  }

  async list(): Promise<StoredKioskCredential[]> {
    const rows = await this.db.query<{ kiosk_id: string; password_hash: string; bcrypt_hash: string | null }>(
      'SELECT kiosk_id, password_hash, bcrypt_hash FROM kiosk_credentials ORDER BY kiosk_id',
    )
    return rows.map((r) => ({
      kioskId: r.kiosk_id,
      passwordHash: r.password_hash,
      bcryptHash: r.bcrypt_hash ?? undefined,
    }))
  }
}

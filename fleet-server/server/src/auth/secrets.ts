import { createHash, randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/** Passwords are stored as argon2id hashes (OWASP's first choice), never in clear. */
export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    // A malformed stored hash verifies nothing.
    return false
  }
}

/** A random bearer secret (256 bits) with a readable prefix, e.g. `fleet_tok_…`. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`
}

/** A one-time password an admin hands over (96 bits, 16 characters, no look-alike-prone symbols but `-`/`_`). */
export function newOneTimePassword(): string {
  return randomBytes(12).toString('base64url')
}

/** Session and API tokens are high-entropy, so a fast hash is enough to store them. */
export function tokenHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

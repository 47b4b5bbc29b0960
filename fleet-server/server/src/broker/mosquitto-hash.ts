import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

/**
 * Iterations of PBKDF2-SHA512, as `mosquitto_passwd` writes by default. Kiosk passwords are 256
 * random bits, so stretching adds nothing against guessing, while Mosquitto verifies every CONNECT
 * on its one thread: a reconnect storm of thousands of kiosks must not stall it.
 */
export const MOSQUITTO_HASH_ITERATIONS = 101
const SALT_BYTES = 12
const KEY_BYTES = 64

/** A password hash in Mosquitto's password-file format: `$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>`. */
export async function mosquittoHash(password: string, iterations = MOSQUITTO_HASH_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await pbkdf2Async(password, salt, iterations, KEY_BYTES, 'sha512')
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Checks a password against a `$7$` hash in constant time; a malformed hash verifies nothing. */
export async function verifyMosquittoHash(hash: string, password: string): Promise<boolean> {
  const match = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash)
  if (match === null) return false
  const iterations = Number(match[1])
  const salt = Buffer.from(match[2] as string, 'base64')
  const expected = Buffer.from(match[3] as string, 'base64')
  if (iterations < 1 || expected.length !== KEY_BYTES) return false
  const actual = await pbkdf2Async(password, salt, iterations, KEY_BYTES, 'sha512')
  return timingSafeEqual(actual, expected)
}

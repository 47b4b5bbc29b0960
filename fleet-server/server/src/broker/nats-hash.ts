import bcrypt from 'bcryptjs'

/**
 * bcrypt cost for the NATS copy of a kiosk password. Kiosk passwords are 256 random bits, so
 * stretching adds nothing against guessing, while nats-server verifies the hash on every MQTT CONNECT:
 * a reconnect storm of thousands of kiosks must not stall it (the same reasoning as
 * MOSQUITTO_HASH_ITERATIONS). 6 is low but well above bcrypt's minimum of 4.
 */
export const NATS_BCRYPT_COST = 6

/** A `$2b$` bcrypt hash, the form nats-server accepts for a password in its config. */
export async function natsBcryptHash(password: string, cost = NATS_BCRYPT_COST): Promise<string> {
  // bcrypt reads only the first 72 bytes: a longer password would match any with the same prefix.
  if (Buffer.byteLength(password) > 72) throw new TypeError('password is longer than bcrypt’s 72 bytes')
  return bcrypt.hash(password, cost)
}

export function verifyNatsBcryptHash(hash: string, password: string): Promise<boolean> {
  return bcrypt.compare(password, hash)
}

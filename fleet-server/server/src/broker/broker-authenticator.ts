import { createHash, timingSafeEqual } from 'node:crypto'
import { isValidId } from '@kiosk-fleet/protocol'
import type { BrokerUser } from './acl-policy.ts'
import { isFleetReplicaUser } from './fleet-mqtt-user.ts'
import type { KioskCredentials } from './kiosk-credentials.ts'

/** Resolves CONNECT credentials to a broker user, or undefined when they are wrong or unknown. */
export interface BrokerAuthenticator {
  authenticate(username: string | undefined, password: Buffer | undefined): Promise<BrokerUser | undefined>
}

const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest()

/**
 * The embedded broker's authenticator: the fleet-server's own users (`fleet-server`, `fleet-server-2`…,
 * checked in constant time against its configured password), else a kiosk whose user name is its id (checked against the stored hash).
 */
export function createBrokerAuthenticator(options: {
  credentials: KioskCredentials
  fleet: { username: string; password: string }
}): BrokerAuthenticator {
  const fleetPassword = digest(options.fleet.password)
  return {
    async authenticate(username, password) {
      if (username === undefined || password === undefined) return undefined
      if (isFleetReplicaUser(options.fleet.username, username)) {
        return timingSafeEqual(digest(password), fleetPassword) ? { kind: 'fleet' } : undefined
      }
      if (!isValidId(username)) return undefined
      const ok = await options.credentials.verify(username, password.toString('utf8'))
      return ok ? { kind: 'kiosk', kioskId: username } : undefined
    },
  }
}

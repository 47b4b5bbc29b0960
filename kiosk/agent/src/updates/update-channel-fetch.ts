import { readFileSync } from 'node:fs'
import { AppError } from '@drivers/core'
import { plaintextRefusal } from '@kiosk-fleet/protocol'
import type { UpdatesConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { fetchTrustingCa } from './ca-fetch.ts'

/**
 * The `fetch` of the update channel, used for TUF metadata and target downloads alike: HTTPS
 * verified against `updates.tls.ca` when set, else against the system's CAs (node's fetch). Refuses
 * clear-text `http://` to a host other than loopback unless `updates.allowPlaintext` says so, and a
 * CA file that cannot be read: both thrown at start-up with ERR_KIOSK_UPDATES_TLS. TUF metadata and
 * targets are signed, so TLS here keeps what the kiosk fetches private, not trustworthy.
 */
export function updateChannelFetch(updates: Pick<UpdatesConfig, 'fleetUrl' | 'tls' | 'allowPlaintext'>): typeof fetch {
  if (updates.fleetUrl !== undefined) {
    const refusal = plaintextRefusal(updates.fleetUrl, updates.allowPlaintext, 'updates.allowPlaintext')
    if (refusal !== undefined) throw new AppError(KioskErrorCodes.updatesTls, refusal)
  }
  const path = updates.tls.ca
  if (path === undefined) return fetch
  let ca: Buffer
  try {
    ca = readFileSync(path)
  } catch (err) {
    throw new AppError(KioskErrorCodes.updatesTls, `cannot read updates.tls.ca (${path}): ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError(KioskErrorCodes.updatesTls, `updates.tls.ca (${path}) holds no PEM certificate`)
  }
  return fetchTrustingCa(ca)
}

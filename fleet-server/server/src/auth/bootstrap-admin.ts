import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { IdentityRepo } from './identity-repo.ts'

/** On a fleet with no users, creates `admin` from the configured password (or says how to). */
export async function bootstrapAdmin(
  identity: IdentityRepo,
  audit: AuditLog,
  password: string | undefined,
  log: Logger,
): Promise<void> {
  if ((await identity.userCount()) > 0) return
  if (password === undefined) {
    log.warn('no users yet: set FLEET_AUTH__INITIAL_ADMIN_PASSWORD (12+ characters) to create user "admin"')
    return
  }
  try {
    await identity.createUser({ id: 'admin', displayName: 'Administrator', password, role: 'admin' })
  } catch (err) {
    // Replicas booting together on a fresh database: the first one created it (unique_violation).
    if ((err as { code?: unknown }).code === '23505') {
      log.info('user admin already created by another replica')
      return
    }
    throw err
  }
  await audit.append({
    actor: 'system',
    action: 'user.create',
    target: 'admin',
    outcome: 'ok',
    details: { role: 'admin', bootstrap: true },
  })
  log.info('created user admin from auth.initialAdminPassword')
}

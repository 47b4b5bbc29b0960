import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Database } from '../db/database.ts'
import type { TufRepository } from './tuf-repository.ts'

/**
 * After a restore from backup (backup/backup.ts records a row in `tuf_restores`): every later TUF
 * publication takes a version at or above the floor, and the first server to start re-signs
 * targets, snapshot and timestamp above it at once, so kiosks that trusted metadata newer than the
 * backup accept the repository instead of refusing it as a rollback.
 */
export async function applyRestoreFloor(options: {
  db: Database
  repo: TufRepository
  audit: AuditLog
  now: number
  logger: Logger
}): Promise<void> {
  const { db, repo, logger } = options
  const [row] = await db.query<{ floor: string | number | null }>(
    'SELECT max(version_floor) AS floor FROM tuf_restores',
  )
  if (row?.floor == null) return
  const floor = Number(row.floor)
  repo.raiseVersionFloor(floor)
  // One replica claims the pending restore; the others only keep the floor.
  const claimed = await db.query<{ id: string }>(
    'UPDATE tuf_restores SET applied_at = now() WHERE applied_at IS NULL RETURNING id',
  )
  if (claimed.length === 0) return
  try {
    const versions = await repo.republishAboveFloor(options.now)
    await options.audit.append({
      actor: 'system',
      action: 'updates.restore.resign',
      outcome: 'ok',
      details: { versionFloor: floor, ...versions },
    })
    logger.warn(
      { versionFloor: floor, ...versions },
      'restored from backup: targets, snapshot and timestamp re-signed above the floor',
    )
  } catch (err) {
    await db.query('UPDATE tuf_restores SET applied_at = NULL WHERE id = ANY($1::bigint[])', [claimed.map((c) => c.id)])
    throw err
  }
}

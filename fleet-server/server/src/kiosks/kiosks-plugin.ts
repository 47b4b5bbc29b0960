import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import type { CommandSender } from '../commands/command-sender.ts'
import type { Database } from '../db/database.ts'
import { KioskRepo } from './kiosk-repo.ts'
import { kioskRoutes } from './kiosk-routes.ts'
import { siteRoutes } from './site-routes.ts'

export interface KiosksPluginOptions {
  db: Database
  commands: CommandSender
  audit: AuditLog
  commandDefaults: { timeoutMs: number; ttlMs: number }
}

/** The kiosks feature over HTTP: `/api/kiosks…` (views, history, commands), `/api/overview`, `/api/sites`. */
export const kiosksPlugin: FastifyPluginAsync<KiosksPluginOptions> = async (app, { db, ...options }) => {
  await app.register(kioskRoutes, { kiosks: new KioskRepo(db), ...options })
  await app.register(siteRoutes, { db })
}

import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import type { CommandQueue } from '../commands/command-queue.ts'
import type { CommandSender } from '../commands/command-sender.ts'
import type { ScreenshotStore } from '../commands/screenshot-store.ts'
import type { Database } from '../db/database.ts'
import type { SharedViews } from '../views/shared-views.ts'
import { KioskRepo } from './kiosk-repo.ts'
import { type CommandDefaults, kioskRoutes } from './kiosk-routes.ts'
import { screenshotRoutes } from './screenshot-routes.ts'
import { siteRoutes } from './site-routes.ts'

export interface KiosksPluginOptions {
  db: Database
  commands: CommandSender
  commandQueue: CommandQueue
  audit: AuditLog
  commandDefaults: CommandDefaults
  /** Where `screenshot` pictures are kept (commands/screenshot-store.ts). */
  screenshots: ScreenshotStore
  /** The overview, sites, site tree and kiosk directory, shared per scope (views/shared-views.ts). */
  views: Pick<SharedViews, 'overview' | 'sites' | 'siteTree' | 'directory'>
}

/** The kiosks feature over HTTP: `/api/kiosks…` (views, history, commands, screenshots), `/api/overview`, `/api/sites`. */
export const kiosksPlugin: FastifyPluginAsync<KiosksPluginOptions> = async (
  app,
  { db, screenshots, views, ...options },
) => {
  const kiosks = new KioskRepo(db, (principal) => views.directory.get(principal))
  await app.register(kioskRoutes, { kiosks, ...options })
  await app.register(screenshotRoutes, { kiosks, screenshots, audit: options.audit })
  await app.register(siteRoutes, { overview: views.overview, sites: views.sites, siteTree: views.siteTree })
}

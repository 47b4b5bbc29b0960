import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Database } from '../db/database.ts'
import type { AlertEngine } from './alert-engine.ts'
import { AlertRepo } from './alert-repo.ts'
import { alertRoutes } from './alert-routes.ts'

export interface AlertsPluginOptions {
  db: Database
  engine: AlertEngine
  audit: AuditLog
}

/** The alerts feature over HTTP: `/api/alerts…` (list, acknowledge, assign). */
export const alertsPlugin: FastifyPluginAsync<AlertsPluginOptions> = async (app, { db, engine, audit }) => {
  await app.register(alertRoutes, { alerts: new AlertRepo(db), engine, audit })
}

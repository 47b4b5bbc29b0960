import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from './audit-log.ts'
import { auditRoutes } from './audit-routes.ts'

/** The audit feature over HTTP: `/api/audit…` (entries, chain check, export). */
export const auditPlugin: FastifyPluginAsync<{ audit: AuditLog }> = async (app, { audit }) => {
  await app.register(auditRoutes, { audit })
}

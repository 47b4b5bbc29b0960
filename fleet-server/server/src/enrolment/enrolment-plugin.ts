import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Database } from '../db/database.ts'
import { Enrolment } from './enrolment.ts'
import { enrolmentRoutes } from './enrolment-routes.ts'

export interface EnrolmentPluginOptions {
  db: Database
  audit: AuditLog
  /** The broker URL handed to kiosks, MQTT user names no kiosk may take, ticket lifetime. */
  settings?: { brokerUrl: string; reservedUsernames: string[]; defaultTtlMs: number } | undefined
}

/** The enrolment feature over HTTP: enrolment tickets for kiosks and `/api/enrol` (ticket → MQTT credential). */
export const enrolmentPlugin: FastifyPluginAsync<EnrolmentPluginOptions> = async (app, { db, audit, settings }) => {
  await app.register(enrolmentRoutes, {
    enrolment: new Enrolment(db),
    audit,
    brokerUrl: settings?.brokerUrl,
    reservedUsernames: settings?.reservedUsernames ?? [],
    defaultTtlMs: settings?.defaultTtlMs ?? 24 * 3_600_000,
  })
}

import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import type { AuthThrottle } from '../auth/auth-throttle.ts'
import type { Database } from '../db/database.ts'
import { Enrolment } from './enrolment.ts'
import { enrolmentRoutes } from './enrolment-routes.ts'

export interface EnrolmentPluginOptions {
  db: Database
  audit: AuditLog
  /** The broker URL handed to kiosks, MQTT user names no kiosk may take, ticket lifetime. */
  settings?:
    | { brokerUrl: string; brokerCa?: string | undefined; reservedUsernames: string[]; defaultTtlMs: number }
    | undefined
  /** Lockout per kiosk id (auth-throttle.ts) and requests per minute and address on `/api/enrol`. */
  throttle?: AuthThrottle
  enrolPerMinute?: number
}

/** The enrolment feature over HTTP: enrolment tickets for kiosks and `/api/enrol` (ticket → MQTT credential). */
export const enrolmentPlugin: FastifyPluginAsync<EnrolmentPluginOptions> = async (
  app,
  { db, audit, settings, throttle, enrolPerMinute },
) => {
  await app.register(enrolmentRoutes, {
    enrolment: new Enrolment(db),
    audit,
    brokerUrl: settings?.brokerUrl,
    brokerCa: settings?.brokerCa,
    throttle,
    enrolPerMinute,
    reservedUsernames: settings?.reservedUsernames ?? [],
    defaultTtlMs: settings?.defaultTtlMs ?? 24 * 3_600_000,
  })
}

import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../audit/audit-log.ts'
import { rolloutRoutes } from './rollout-routes.ts'
import type { RolloutService } from './rollout-service.ts'
import { scheduleRoutes } from './schedule-routes.ts'

export interface RolloutsPluginOptions {
  rollouts: RolloutService
  audit: AuditLog
  now?: (() => number) | undefined
}

/** The rollouts feature over HTTP: `/api/rollouts…`, `/api/calendar`, `/api/sites/:id/schedule`. */
export const rolloutsPlugin: FastifyPluginAsync<RolloutsPluginOptions> = async (app, { rollouts, audit, now }) => {
  await app.register(rolloutRoutes, { rollouts })
  await app.register(scheduleRoutes, { schedules: rollouts.schedules, audit, ...(now === undefined ? {} : { now }) })
}

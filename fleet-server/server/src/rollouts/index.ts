import type { FastifyPluginAsync } from 'fastify'
import type { IngestedReports, RolloutServiceOptions } from './rollout-service.ts'
import { RolloutService } from './rollout-service.ts'
import { rolloutsPlugin } from './rollouts-plugin.ts'

export * from './grouping.ts'
export * from './kiosk-states.ts'
export * from './rollout-errors.ts'
export * from './rollout-service.ts'
export * from './rollouts-plugin.ts'
export * from './schedule.ts'
export * from './schedule-store.ts'
export * from './selection.ts'

export interface RolloutModule {
  service: RolloutService
  /** Starts the engine tick (interval `tickMs`, plus a tick after reports and births). */
  start(): void
  /** Stops ticking; waits for the tick, report processing and notifications in flight. */
  stop(): Promise<void>
  /** Give it ingest's `WriteResult` (its `deployments` and `births`) from the Ingestor's `onWritten`. */
  onIngested(result: IngestedReports): void
  /** `/api/rollouts…`, `/api/calendar`, `/api/sites/:id/schedule`: register on the app after the auth hook. */
  routes: FastifyPluginAsync
}

/** The rollout engine, its schedules and its HTTP routes: one factory for the composition root. */
export function createRolloutService(options: RolloutServiceOptions): RolloutModule {
  const service = new RolloutService(options)
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(rolloutsPlugin, { rollouts: service, audit: options.audit, now: options.now })
  }
  return {
    service,
    start: () => service.start(),
    stop: () => service.stop(),
    onIngested: (result) => service.onIngested(result),
    routes,
  }
}

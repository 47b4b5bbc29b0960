import type { FastifyPluginAsync } from 'fastify'
import type { Database } from '../db/database.ts'
import { DeviceModelHealthRepo } from './device-model-health-repo.ts'
import { vendorRoutes } from './vendor-routes.ts'

export interface VendorsPluginOptions {
  db: Database
  /** Time source: the fault window ends now. */
  now: () => number
}

/** What vendors look at across the fleet: `/api/device-models/health`. */
export const vendorsPlugin: FastifyPluginAsync<VendorsPluginOptions> = async (app, { db, now }) => {
  await app.register(vendorRoutes, { health: new DeviceModelHealthRepo(db), now })
}

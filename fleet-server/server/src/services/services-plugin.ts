import type { FastifyPluginAsync } from 'fastify'
import type { Database } from '../db/database.ts'
import { availabilityReportRoutes } from './availability-report-routes.ts'
import type { CatalogueProvider } from './catalogue-dir.ts'
import { ServiceAvailabilityRepo } from './service-availability-repo.ts'
import { servicesRoutes } from './services-routes.ts'

export interface ServicesPluginOptions {
  db: Database
  /** The citizen service catalogue the fleet knows (names, departments, categories). */
  catalogue: CatalogueProvider
  /** Time source: the window's last day is the sites' today. */
  now: () => number
}

/** The services feature over HTTP: `/api/services`, `/api/services/:id/kiosks` and the availability report. */
export const servicesPlugin: FastifyPluginAsync<ServicesPluginOptions> = async (app, { db, catalogue, now }) => {
  await app.register(servicesRoutes, { catalogue, availability: new ServiceAvailabilityRepo(db), now })
  await app.register(availabilityReportRoutes, { db, catalogue })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ErrorBody,
  SERVICE_KIOSK_AVAILABILITIES,
  ServiceIdParams,
  ServiceKiosksPage,
  ServicesOverview,
} from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { CatalogueProvider } from './catalogue-dir.ts'
import type { ServiceAvailabilityRepo } from './service-availability-repo.ts'
import { SERVICE_WINDOW_DAYS, serviceSummary, servicesOverview } from './services-view.ts'
import { siteDayWindow } from './site-day.ts'

export interface ServicesRoutesOptions {
  catalogue: CatalogueProvider
  availability: ServiceAvailabilityRepo
  now: () => number
}

export const servicesRoutes: FastifyPluginAsyncTypebox<ServicesRoutesOptions> = async (
  app,
  { catalogue, availability, now },
) => {
  const readFleet = requirePermission('readFleet')

  app.get(
    '/api/services',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Citizen services by department: kiosks offering each, available now, and over the last 30 days',
        response: { 200: ServicesOverview },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const window = siteDayWindow(now(), SERVICE_WINDOW_DAYS)
      const [known, current, days] = await Promise.all([
        catalogue(),
        availability.now(principal),
        availability.window(principal, window),
      ])
      return servicesOverview(known, { now: current, window: days }, window)
    },
  )

  app.get(
    '/api/services/:id/kiosks',
    {
      preValidation: readFleet,
      schema: {
        summary: 'The kiosks offering a service: unavailable first, then unknown (offline), then available',
        params: ServiceIdParams,
        querystring: Type.Object({
          availability: Type.Optional(Type.Union(SERVICE_KIOSK_AVAILABILITIES.map((a) => Type.Literal(a)))),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: ServiceKiosksPage, 404: ErrorBody },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const { id } = request.params
      const { availability: only, limit, offset } = request.query
      const window = siteDayWindow(now(), SERVICE_WINDOW_DAYS)
      const [known, current, share, days, kiosks] = await Promise.all([
        catalogue(),
        availability.now(principal, id),
        availability.window(principal, window, id),
        availability.days(principal, window, id),
        availability.kiosks(principal, id, window, { availability: only, limit, offset }),
      ])
      const definition = known.services.find((s) => s.id === id)
      const service = serviceSummary(id, definition, { now: current, window: share })
      // A service nobody knows is not found; one only outside the caller's scope is not revealed.
      if (definition === undefined && service.kiosks === 0 && service.window.snapshots === 0) {
        throw new FleetError(FleetErrorCodes.serviceNotFound, `no service ${id}`)
      }
      const total = only === undefined ? service.kiosks : service.now[only]
      return { service, window, days, total, kiosks }
    },
  )
}

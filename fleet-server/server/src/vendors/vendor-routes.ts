import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VENDOR_ID_PATTERN } from '@kiosk-fleet/protocol'
import { DEVICE_MODEL_FAULT_WINDOW_DAYS, DeviceModelsHealthView, ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { DeviceModelHealthRepo } from './device-model-health-repo.ts'

export interface VendorRoutesOptions {
  health: DeviceModelHealthRepo
  now: () => number
}

const DAY_MS = 86_400_000

export const vendorRoutes: FastifyPluginAsyncTypebox<VendorRoutesOptions> = async (app, { health, now }) => {
  app.get(
    '/api/device-models/health',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary:
          'Per device model in scope: devices in the fleet, faulty now, faults over the last 30 days by code, firmware versions (vendors: their own models)',
        querystring: Type.Object(
          { vendor: Type.Optional(Type.String({ pattern: VENDOR_ID_PATTERN, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: DeviceModelsHealthView, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const asked = request.query.vendor
      let vendors: string[] | undefined = asked === undefined ? undefined : [asked]
      if (principal.role === 'vendor') {
        if (asked !== undefined && !principal.vendors.includes(asked)) {
          throw new FleetError(
            FleetErrorCodes.forbidden,
            `you see only the models of ${principal.vendors.join(', ') || '(no vendor)'}, not ${asked}'s`,
          )
        }
        vendors ??= principal.vendors
      }
      const since = new Date(now() - DEVICE_MODEL_FAULT_WINDOW_DAYS * DAY_MS)
      return health.models(principal, { vendors, since, windowDays: DEVICE_MODEL_FAULT_WINDOW_DAYS })
    },
  )
}

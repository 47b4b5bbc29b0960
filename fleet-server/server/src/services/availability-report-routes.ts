import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AVAILABILITY_REPORT_MAX_DAYS,
  AvailabilityReport,
  AvailabilityReportQuery,
  ErrorBody,
} from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { Database } from '../db/database.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { availabilityCsv } from './availability-csv.ts'
import { availabilityReport, daysOf } from './availability-report.ts'
import type { CatalogueProvider } from './catalogue-dir.ts'

export interface AvailabilityReportRoutesOptions {
  db: Database
  catalogue: CatalogueProvider
}

/**
 * The usable share of opening hours per site or per service (availability-report.ts): as JSON, and
 * as CSV for a department's spreadsheet. Read-only, within the caller's scope like every fleet figure.
 */
export const availabilityReportRoutes: FastifyPluginAsyncTypebox<AvailabilityReportRoutesOptions> = async (
  app,
  { db, catalogue },
) => {
  const report = async (request: FastifyRequest, query: AvailabilityReportQuery): Promise<AvailabilityReport> => {
    const { from, to, by, per } = query
    // Both are dates (the schema's `format: date`, 30 February refused): only their order and span are left.
    if (from > to) throw new FleetError(FleetErrorCodes.reportRangeInvalid, `from ${from} is after to ${to}`)
    const days = daysOf(from, to).length
    if (days > AVAILABILITY_REPORT_MAX_DAYS)
      throw new FleetError(
        FleetErrorCodes.reportRangeInvalid,
        `${days} days: a report covers at most ${AVAILABILITY_REPORT_MAX_DAYS}`,
      )
    const rows = await availabilityReport(db, principalOf(request), await catalogue(), { from, to, by, per })
    return { from, to, by, per, rows }
  }

  app.get(
    '/api/services/availability-report',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary:
          'Share of opening hours each citizen service was usable, per site or per service, over a range of days',
        querystring: AvailabilityReportQuery,
        response: { 200: AvailabilityReport, 400: ErrorBody },
      },
    },
    (request) => report(request, request.query),
  )

  app.get(
    '/api/services/availability-report.csv',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'The availability report as CSV (UTF-8 with BOM), for a spreadsheet',
        querystring: AvailabilityReportQuery,
        response: { 200: Type.String(), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const r = await report(request, request.query)
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="availability-by-${r.by}-${r.from}-${r.to}.csv"`)
      return availabilityCsv(r)
    },
  )
}

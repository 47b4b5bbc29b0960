import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MaintenanceSchedule, TimeRange } from '@kiosk-fleet/protocol'
import { ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { Principal } from '../auth/roles.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { RolloutErrorCodes } from './rollout-errors.ts'
import { addDays, localDate } from './schedule.ts'
import type { ScheduleStore } from './schedule-store.ts'

export interface ScheduleRoutesOptions {
  schedules: ScheduleStore
  audit: AuditLog
  now?: () => number
}

const LocalDate = Type.String({
  pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  description: 'YYYY-MM-DD',
})

const CalendarDayBody = Type.Object(
  {
    day: LocalDate,
    kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')], {
      description: 'holiday: public holiday (closed); workday: 调休, a weekend day worked',
    }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)

const CalendarQuery = Type.Object({ from: Type.Optional(LocalDate), to: Type.Optional(LocalDate) })
const CalendarPut = Type.Object(
  { from: LocalDate, to: LocalDate, days: Type.Array(CalendarDayBody, { maxItems: 1000 }) },
  { additionalProperties: false, description: 'replaces every calendar day in [from, to) with `days`' },
)

const SiteScheduleBody = Type.Object(
  {
    openingHours: MaintenanceSchedule.properties.openingHours,
    windows: Type.Array(TimeRange, { maxItems: 8 }),
    closedDays: Type.Optional(Type.Array(LocalDate, { maxItems: 400, description: "the site's own closures" })),
  },
  { additionalProperties: false },
)
const SiteParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }) })

const validDate = (d: string) =>
  !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))

function checkSchedule(body: {
  openingHours: Record<string, { start: string; end: string }[] | undefined>
  windows: { start: string; end: string }[]
  closedDays?: string[]
}) {
  for (const [day, ranges] of Object.entries(body.openingHours)) {
    for (const r of ranges ?? []) {
      if (minutes(r.start) >= minutes(r.end)) {
        throw new FleetError(
          RolloutErrorCodes.scheduleInvalid,
          `opening hours of day ${day}: ${r.start} is not before ${r.end}`,
        )
      }
    }
  }
  for (const w of body.windows) {
    // A window may cross midnight (22:00–06:00) but not be empty.
    if (w.start === w.end) throw new FleetError(RolloutErrorCodes.scheduleInvalid, `empty window ${w.start}–${w.end}`)
  }
  for (const d of body.closedDays ?? []) {
    if (!validDate(d)) throw new FleetError(RolloutErrorCodes.scheduleInvalid, `no such date ${d}`)
  }
}

function mayEditSite(principal: Principal, siteId: string): boolean {
  return principal.role === 'admin' || (principal.role === 'site' && principal.sites.includes(siteId))
}

/** The fleet calendar (holidays, 调休) and sites' opening hours and maintenance windows. */
export const scheduleRoutes: FastifyPluginAsyncTypebox<ScheduleRoutesOptions> = async (
  app,
  { schedules, audit, now = Date.now },
) => {
  const readFleet = requirePermission('readFleet')
  const manage = requirePermission('manageSchedules')

  app.get(
    '/api/calendar',
    {
      preValidation: readFleet,
      schema: {
        summary: 'Holidays and make-up workdays; default: today and the next 400 days',
        querystring: CalendarQuery,
      },
    },
    async (request) => {
      const from = request.query.from ?? localDate(now())
      const to = request.query.to ?? addDays(from, 400)
      return { from, to, days: await schedules.calendar(from, to) }
    },
  )

  app.put(
    '/api/calendar',
    {
      preValidation: async (request) => {
        await manage(request)
        // The fleet calendar is the whole fleet's: admins only (site users edit their own sites).
        if (principalOf(request).role !== 'admin') {
          throw new FleetError(FleetErrorCodes.forbidden, 'only an admin edits the fleet calendar')
        }
      },
      schema: {
        summary: 'Replace the calendar between from and to',
        body: CalendarPut,
        response: { 200: Type.Unknown(), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, _reply) => {
      const { from, to, days } = request.body
      for (const d of [from, to, ...days.map((x) => x.day)]) {
        if (!validDate(d)) throw new FleetError(RolloutErrorCodes.scheduleInvalid, `no such date ${d}`)
      }
      if (from >= to) throw new FleetError(RolloutErrorCodes.scheduleInvalid, 'from must be before to')
      await schedules.replaceCalendar(
        from,
        to,
        days.map((d) => ({ day: d.day, kind: d.kind, name: d.name ?? '' })),
      )
      const principal = principalOf(request)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'calendar.update',
        target: `${from}/${to}`,
        outcome: 'ok',
        details: { days: days.length },
      })
      return { from, to, days: await schedules.calendar(from, to) }
    },
  )

  app.get(
    '/api/sites/:id/schedule',
    {
      preValidation: readFleet,
      schema: {
        summary: "A site's opening hours, maintenance windows and closures",
        params: SiteParams,
        response: { 200: Type.Unknown(), 404: ErrorBody },
      },
    },
    async (request, _reply) => {
      if (!(await schedules.siteExists(request.params.id))) {
        throw new FleetError(RolloutErrorCodes.siteNotFound, `no site ${request.params.id}`)
      }
      return { siteId: request.params.id, ...(await schedules.site(request.params.id)) }
    },
  )

  app.put(
    '/api/sites/:id/schedule',
    {
      preValidation: manage,
      schema: {
        summary: "Set a site's opening hours, maintenance windows and closures",
        params: SiteParams,
        body: SiteScheduleBody,
        response: { 200: Type.Unknown(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, _reply) => {
      const principal = principalOf(request)
      const siteId = request.params.id
      if (!mayEditSite(principal, siteId)) {
        throw new FleetError(RolloutErrorCodes.outOfScope, `site ${siteId} is outside your scope`)
      }
      if (!(await schedules.siteExists(siteId)))
        throw new FleetError(RolloutErrorCodes.siteNotFound, `no site ${siteId}`)
      checkSchedule(request.body)
      const closedDays = [...new Set(request.body.closedDays ?? [])].sort()
      await schedules.putSite(
        siteId,
        { openingHours: request.body.openingHours, windows: request.body.windows, closedDays },
        principal.userId,
      )
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'site.schedule.update',
        target: siteId,
        outcome: 'ok',
        details: { windows: request.body.windows.length, closedDays: closedDays.length },
      })
      return { siteId, ...(await schedules.site(siteId)) }
    },
  )
}

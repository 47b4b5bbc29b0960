import { type Static, Type } from '@sinclair/typebox'

/**
 * The services page of the fleet (`GET /api/services`, `GET /api/services/:id/kiosks`): the citizen
 * service catalogue by department, which kiosks offer each service, its availability now (from each
 * kiosk's latest health) and over the last days (from the daily roll-up of every health snapshot).
 * All figures are within the caller's scope.
 */

/** Why an online kiosk cannot offer a service now (health `ServiceAvailability.reason`; `other`: none given). */
export const SERVICE_UNAVAILABLE_REASONS = ['peripheral', 'gatewayDown', 'identityUnavailable', 'other'] as const
export type ServiceUnavailableReason = (typeof SERVICE_UNAVAILABLE_REASONS)[number]

/** What a kiosk's latest health says of one service: `unknown` when the kiosk is not online. */
export const SERVICE_KIOSK_AVAILABILITIES = ['available', 'unavailable', 'unknown'] as const
export type ServiceKioskAvailability = (typeof SERVICE_KIOSK_AVAILABILITIES)[number]

/** The id of the group of services kiosks report that the catalogue does not know. */
export const UNKNOWN_DEPARTMENT = 'unknown'

const LocalizedName = Type.Object({ zh: Type.String(), en: Type.String() })

export const ServiceReasonCounts = Type.Object(
  Object.fromEntries(SERVICE_UNAVAILABLE_REASONS.map((r) => [r, Type.Integer({ minimum: 0 })])) as Record<
    ServiceUnavailableReason,
    ReturnType<typeof Type.Integer>
  >,
)
export type ServiceReasonCounts = Static<typeof ServiceReasonCounts>

/** Kiosks offering a service, by what their latest health says now. */
export const ServiceNow = Type.Object({
  /** Online kiosks whose latest health reports it available. */
  available: Type.Integer({ minimum: 0 }),
  /** Online kiosks whose latest health reports it unavailable; `reasons` splits them. */
  unavailable: Type.Integer({ minimum: 0 }),
  reasons: ServiceReasonCounts,
  /** Kiosks offering it that are offline (or not yet online): their state is unknown, not available. */
  unknown: Type.Integer({ minimum: 0 }),
})
export type ServiceNow = Static<typeof ServiceNow>

/** Health snapshots over a span of days: how many listed the service, and in how many it was available. */
export const ServiceShare = Type.Object({
  snapshots: Type.Integer({ minimum: 0 }),
  available: Type.Integer({ minimum: 0 }),
  /** available / snapshots, 0..1; null without a snapshot. */
  share: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
})
export type ServiceShare = Static<typeof ServiceShare>

export const ServiceSummary = Type.Object({
  id: Type.String(),
  /** False for a service kiosks report that the fleet's catalogue does not know (no name, category or identity). */
  known: Type.Boolean(),
  name: Type.Union([LocalizedName, Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  identity: Type.Union([Type.String(), Type.Null()]),
  /** Kiosks whose latest health lists the service. */
  kiosks: Type.Integer({ minimum: 0 }),
  now: ServiceNow,
  /** Every health snapshot of the window (see `window`) from kiosks now in scope. */
  window: ServiceShare,
})
export type ServiceSummary = Static<typeof ServiceSummary>

export const ServiceDepartment = Type.Object({
  /** The catalogue's department id, or `unknown` for services the catalogue does not know. */
  id: Type.String(),
  known: Type.Boolean(),
  name: Type.Union([LocalizedName, Type.Null()]),
  shortName: Type.Union([LocalizedName, Type.Null()]),
  services: Type.Array(ServiceSummary),
})
export type ServiceDepartment = Static<typeof ServiceDepartment>

/** The days a share covers, as dates at the sites (Asia/Shanghai), both included. */
export const ServiceWindow = Type.Object({
  days: Type.Integer({ minimum: 1 }),
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
})
export type ServiceWindow = Static<typeof ServiceWindow>

/** `GET /api/services` */
export const ServicesOverview = Type.Object({
  /** sha256 of the catalogue the names come from (what kiosks report they run). */
  catalogueDigest: Type.String(),
  window: ServiceWindow,
  departments: Type.Array(ServiceDepartment),
})
export type ServicesOverview = Static<typeof ServicesOverview>

/** A kiosk offering a service, with what it says of it now and its share over the window. */
export const ServiceKiosk = Type.Object({
  id: Type.String(),
  state: Type.String(),
  machineType: Type.Union([Type.String(), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
  site: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  availability: Type.Union(SERVICE_KIOSK_AVAILABILITIES.map((a) => Type.Literal(a))),
  /** Why, when `unavailable`; null otherwise. */
  reason: Type.Union([...SERVICE_UNAVAILABLE_REASONS.map((r) => Type.Literal(r)), Type.Null()]),
  /** deviceIds of the peripherals that block it (latest health, also while offline). */
  blockedBy: Type.Array(Type.String()),
  window: ServiceShare,
})
export type ServiceKiosk = Static<typeof ServiceKiosk>

/** `GET /api/services/:id/kiosks`: unavailable first, then unknown, then available; by id within each. */
export const ServiceKiosksPage = Type.Object({
  service: ServiceSummary,
  window: ServiceWindow,
  /** The share of each day of the window, oldest first, over the kiosks in scope. */
  days: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), ...ServiceShare.properties })),
  /** Kiosks matching (before paging). */
  total: Type.Integer({ minimum: 0 }),
  kiosks: Type.Array(ServiceKiosk),
})
export type ServiceKiosksPage = Static<typeof ServiceKiosksPage>

export const ServiceIdParams = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }) })

/** How an availability report groups: per site and service, or per service over every site in scope. */
export const AVAILABILITY_REPORT_BY = ['site', 'service'] as const
export type AvailabilityReportBy = (typeof AVAILABILITY_REPORT_BY)[number]

/** The longest range one report covers (days). */
export const AVAILABILITY_REPORT_MAX_DAYS = 366

/** `GET /api/services/availability-report` (JSON) and `GET /api/services/availability-report.csv` (the same rows). */
export const AvailabilityReportQuery = Type.Object({
  from: Type.String({ format: 'date', description: 'first day at the sites (Asia/Shanghai), included' }),
  to: Type.String({ format: 'date', description: 'last day, included' }),
  by: Type.Union(
    AVAILABILITY_REPORT_BY.map((b) => Type.Literal(b)),
    { default: 'site' },
  ),
  /** `range`: one row per site/service over the whole range; `day`: one row per day too. */
  per: Type.Union([Type.Literal('range'), Type.Literal('day')], { default: 'range' }),
})
export type AvailabilityReportQuery = Static<typeof AvailabilityReportQuery>

/**
 * One row of an availability report: how long a service was usable in the opening hours of the
 * kiosks offering it. `openHours` sums each kiosk's opening hours (two kiosks open 8 h: 16);
 * `usableHours` is the part in which the kiosk reported the service available. A kiosk that was
 * offline, or did not report, during opening hours counts as not usable then.
 */
export const AvailabilityReportRow = Type.Object({
  site: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  serviceId: Type.String(),
  serviceName: Type.Union([LocalizedName, Type.Null()]),
  /** The catalogue's department of the service; null for a service the catalogue does not know. */
  department: Type.Union([Type.String(), Type.Null()]),
  /** The day (`per=day`), or null for the whole range. */
  day: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  /** Kiosks in scope that reported the service in the range. */
  kiosks: Type.Integer({ minimum: 0 }),
  openHours: Type.Number({ minimum: 0 }),
  usableHours: Type.Number({ minimum: 0 }),
  /** usableHours / openHours, 0..1; null when nothing was open. */
  share: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
})
export type AvailabilityReportRow = Static<typeof AvailabilityReportRow>

export const AvailabilityReport = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  by: Type.Union(AVAILABILITY_REPORT_BY.map((b) => Type.Literal(b))),
  per: Type.Union([Type.Literal('range'), Type.Literal('day')]),
  rows: Type.Array(AvailabilityReportRow),
})
export type AvailabilityReport = Static<typeof AvailabilityReport>

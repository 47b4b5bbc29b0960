import { type Static, Type } from '@sinclair/typebox'

/** One printer's paper forecast (`GET /api/paper-forecast`), from its agent's paper counters. */
export const PaperForecastRow = Type.Object({
  kioskId: Type.String(),
  site: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
  deviceId: Type.String(),
  deviceClass: Type.Union([Type.String(), Type.Null()]),
  vendor: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('receipt'), Type.Literal('a4')]),
  unit: Type.Union([Type.Literal('mm'), Type.Literal('sheets')]),
  /** Paper status now (`full`, `low`, `out`, `jammed`, `unknown`), null when not reported. */
  paper: Type.Union([Type.String(), Type.Null()]),
  remaining: Type.Number({ minimum: 0 }),
  /** Used per day over the last week; null without a day of history or after a counter reset. */
  usedPerDay: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** Days until empty at that rate: 0 when out, null when unknown or unused. */
  daysLeft: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  emptyAt: Type.Union([Type.String(), Type.Null()]),
})
export type PaperForecastRow = Static<typeof PaperForecastRow>

/** `GET /api/paper-forecast?kioskId=&limit=`: printers by days left, fewest first (unknown last). */
export const PaperForecastList = Type.Object({ printers: Type.Array(PaperForecastRow) })
export type PaperForecastList = Static<typeof PaperForecastList>

export const PaperForecastQuery = Type.Object({
  kioskId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
})
export type PaperForecastQuery = Static<typeof PaperForecastQuery>

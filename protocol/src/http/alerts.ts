import { type Static, Type } from '@sinclair/typebox'

/** An alert as `GET /api/alerts` shows it. */
export const AlertView = Type.Object({
  id: Type.Number(),
  rule: Type.String(),
  kioskId: Type.String(),
  deviceId: Type.String(),
  severity: Type.String(),
  state: Type.String(),
  latched: Type.Boolean(),
  message: Type.String(),
  department: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  raisedAt: Type.String(),
  clearedAt: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
  assignedTo: Type.Union([Type.String(), Type.Null()]),
})
export type AlertView = Static<typeof AlertView>

/** One page of `GET /api/alerts`: `total` counts every match, not only this page. */
export const AlertPage = Type.Object({
  total: Type.Number(),
  offset: Type.Number(),
  limit: Type.Number(),
  alerts: Type.Array(AlertView),
})
export type AlertPage = Static<typeof AlertPage>
